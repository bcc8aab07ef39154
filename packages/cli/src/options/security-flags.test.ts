import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDevice, parseSecurityOpts } from './security-flags.js';

test('--device: HOST[:CONTAINER][:PERMISSIONS], as the docker CLI reads it', () => {
  assert.deepEqual(parseDevice('/dev/null'), {
    PathOnHost: '/dev/null',
    PathInContainer: '/dev/null',
    CgroupPermissions: 'rwm',
  });
  assert.deepEqual(parseDevice('/dev/null:/dev/mynull'), {
    PathOnHost: '/dev/null',
    PathInContainer: '/dev/mynull',
    CgroupPermissions: 'rwm',
  });
  assert.equal(parseDevice('/dev/null:r').CgroupPermissions, 'r');
  assert.deepEqual(parseDevice('/dev/null:/dev/n:rw'), {
    PathOnHost: '/dev/null',
    PathInContainer: '/dev/n',
    CgroupPermissions: 'rw',
  });
  assert.throws(() => parseDevice('/dev/null:/dev/n:rx'), { message: 'invalid device mode: rx' });
  assert.throws(() => parseDevice('null'), { message: 'bad format for path: null' });
  assert.throws(() => parseDevice('/a:/b:r:x'), { message: 'invalid device specification: /a:/b:r:x' });
});

test('--security-opt seccomp=FILE sends the compacted profile; systempaths=unconfined stays client-side', () => {
  const files: Record<string, string> = { '/p.json': '{\n  "defaultAction": "SCMP_ACT_ALLOW"\n}\n' };
  const readFile = (path: string): string => {
    const text = files[path];
    if (text === undefined) throw new Error('no such file or directory');
    return text;
  };
  const out = parseSecurityOpts(
    ['seccomp=/p.json', 'no-new-privileges', 'seccomp=unconfined', 'systempaths=unconfined', 'label=disable'],
    { readFile },
  );
  assert.deepEqual(out, {
    securityOpt: [
      'seccomp={"defaultAction":"SCMP_ACT_ALLOW"}',
      'no-new-privileges',
      'seccomp=unconfined',
      'label=disable',
    ],
    unconfinedPaths: true,
  });
  assert.throws(() => parseSecurityOpts(['seccomp=/missing.json'], { readFile }), {
    message: 'opening seccomp profile (/missing.json) failed: no such file or directory',
  });
  assert.throws(() => parseSecurityOpts(['apparmor'], { readFile }), {
    message: 'Invalid --security-opt: "apparmor"',
  });
});
