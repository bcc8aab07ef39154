import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Spec } from '@polis/core';
import { withoutHostname, withShm, withWritableSys } from './namespaces.js';
import { withDefaultMounts } from './steps.js';

const base: Spec = withDefaultMounts(64 << 20)({ ociVersion: '1.0.2', hostname: 'h', domainname: 'd' });

test('/dev/shm: kept by default, gone with --ipc none, a bind of the shared one otherwise', () => {
  assert.equal(withShm({ kind: 'private' })(base), base);
  assert.ok(!withShm({ kind: 'none' })(base).mounts?.some((m) => m.destination === '/dev/shm'));
  const shared = withShm({ kind: 'bind', source: '/proc/7/root/dev/shm' })(base).mounts?.filter(
    (m) => m.destination === '/dev/shm',
  );
  assert.deepEqual(shared, [
    {
      destination: '/dev/shm',
      type: 'bind',
      source: '/proc/7/root/dev/shm',
      options: ['rbind', 'rprivate', 'rw'],
    },
  ]);
});

test('privileged: /sys and /sys/fs/cgroup writable; others untouched', () => {
  const opts = (s: Spec, dest: string): string[] =>
    s.mounts?.find((m) => m.destination === dest)?.options ?? [];
  const priv = withWritableSys(true)(base);
  assert.ok(opts(priv, '/sys').includes('rw') && !opts(priv, '/sys').includes('ro'));
  assert.ok(opts(priv, '/sys/fs/cgroup').includes('rw'));
  assert.ok(opts(withWritableSys(false)(base), '/sys').includes('ro'));
});

test("--uts host: no hostname or domainname in the spec (the host's stay)", () => {
  const spec = withoutHostname('host')(base);
  assert.equal(spec.hostname, undefined);
  assert.equal(spec.domainname, undefined);
  assert.equal(withoutHostname(undefined)(base).hostname, 'h');
});
