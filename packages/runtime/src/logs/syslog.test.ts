import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatSyslog } from './syslog.js';

const e = (stream: 'stdout' | 'stderr') => ({
  stream,
  time: '2026-12-03T10:00:01.123456789Z',
  data: Buffer.from('hello\n'),
});

test('formats as Docker syslog driver: facility daemon, info for stdout, err for stderr', () => {
  const o = { address: 'udp://127.0.0.1:514', tag: 'web', pid: 42 };
  assert.equal(formatSyslog(e('stdout'), o, 'h1'), '<30>2026-12-03T10:00:01Z h1 web[42]: hello');
  assert.equal(formatSyslog(e('stderr'), o, 'h1'), '<27>2026-12-03T10:00:01Z h1 web[42]: hello');
  assert.equal(
    formatSyslog(e('stdout'), { ...o, format: 'rfc5424', facility: 'local0' }, 'h1'),
    '<134>1 2026-12-03T10:00:01Z h1 web 42 web - hello',
  );
  assert.equal(
    formatSyslog(e('stdout'), { ...o, format: 'rfc5424micro' }, 'h1'),
    '<30>1 2026-12-03T10:00:01.123456Z h1 web 42 web - hello',
  );
});
