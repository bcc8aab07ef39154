import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Spec } from '@polis/core';
import { seccompStep } from './step.js';

const bare: Spec = { ociVersion: '1.1.0' };
const withCaps = (caps: string[]): Spec => ({
  ...bare,
  process: { user: { uid: 0, gid: 0 }, args: [], cwd: '/', capabilities: { bounding: caps } },
});

function allowed(spec: Spec, name: string): boolean {
  return (spec.linux?.seccomp?.syscalls ?? []).some(
    (r) => r.action === 'SCMP_ACT_ALLOW' && r.names.includes(name),
  );
}

test('default profile on a bare spec: no capabilities, so no capability rules', () => {
  const out = seccompStep({ choice: { mode: 'default' }, privileged: false, arch: 'amd64' })(bare);
  assert.equal(out.linux?.seccomp?.defaultAction, 'SCMP_ACT_ERRNO');
  assert.ok(allowed(out, 'read'));
  assert.ok(!allowed(out, 'chroot'));
});

test('rules follow the bounding set already in the spec', () => {
  const step = seccompStep({ choice: { mode: 'default' }, privileged: false, arch: 'amd64' });
  assert.ok(allowed(step(withCaps(['CAP_SYS_CHROOT'])), 'chroot'));
  assert.ok(allowed(step(withCaps(['CAP_SYS_ADMIN'])), 'unshare'));
});

test('unconfined and privileged remove seccomp', () => {
  const confined = seccompStep({ choice: { mode: 'default' }, privileged: false, arch: 'amd64' })(bare);
  const unconfined = seccompStep({ choice: { mode: 'unconfined' }, privileged: false })(confined);
  assert.equal(unconfined.linux?.seccomp, undefined);
  assert.ok(!('seccomp' in (unconfined.linux ?? {})));
  const custom = { defaultAction: 'SCMP_ACT_ALLOW' };
  const privileged = seccompStep({ choice: { mode: 'custom', profile: custom }, privileged: true })(confined);
  assert.equal(privileged.linux?.seccomp, undefined);
});

test('custom profile replaces the default', () => {
  const profile = {
    defaultAction: 'SCMP_ACT_LOG',
    syscalls: [{ names: ['kill'], action: 'SCMP_ACT_ERRNO' }],
  };
  const out = seccompStep({ choice: { mode: 'custom', profile }, privileged: false, arch: 'amd64' })(bare);
  assert.deepEqual(out.linux?.seccomp, {
    defaultAction: 'SCMP_ACT_LOG',
    syscalls: [{ names: ['kill'], action: 'SCMP_ACT_ERRNO' }],
  });
});
