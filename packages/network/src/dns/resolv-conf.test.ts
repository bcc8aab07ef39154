import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HostResolvers, parseResolvConf } from './resolv-conf.js';

test('parseResolvConf keeps nameserver lines in order, loopback included', () => {
  const conf = '# c\nsearch lan\nnameserver 127.0.0.53\n nameserver ::1\nnameserver bogus\noptions edns0\n';
  assert.deepEqual(parseResolvConf(conf), [
    { host: '127.0.0.53', port: 53 },
    { host: '::1', port: 53 },
  ]);
});

test('HostResolvers reads the file, and a missing file means no upstreams', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'polis-dns-'));
  try {
    const file = path.join(dir, 'resolv.conf');
    fs.writeFileSync(file, 'nameserver 10.0.0.53\n');
    assert.deepEqual(new HostResolvers(file).get(), [{ host: '10.0.0.53', port: 53 }]);
    assert.deepEqual(new HostResolvers(path.join(dir, 'none')).get(), []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
