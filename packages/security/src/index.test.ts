import { test } from 'node:test';
import assert from 'node:assert/strict';
import { composeSpec, emptySpec, isPolisError, type Spec } from '@polis/core';
import { securitySteps, type SecurityInput } from './index.js';

const base: Spec = {
  ociVersion: '1.1.0',
  process: { user: { uid: 0, gid: 0 }, args: ['sh'], cwd: '/' },
  root: { path: 'rootfs' },
};

function input(patch: Partial<SecurityInput['security']> = {}): SecurityInput {
  const spec = emptySpec('busybox');
  return {
    security: { ...spec.security, ...patch },
    resources: spec.resources,
    namespaces: { network: 'none' },
    hostRlimits: { RLIMIT_NOFILE: 20000 },
    arch: 'amd64',
  };
}

function allowed(spec: Spec, name: string): boolean {
  return (spec.linux?.seccomp?.syscalls ?? []).some(
    (r) => r.action === 'SCMP_ACT_ALLOW' && r.names.includes(name),
  );
}

test('default container: what a user relies on', () => {
  const spec = composeSpec(base, ...securitySteps(input()));
  assert.deepEqual(spec.process?.args, ['sh']);
  assert.equal(spec.process?.capabilities?.bounding?.length, 14);
  assert.ok(spec.process?.capabilities?.effective?.includes('CAP_NET_BIND_SERVICE'));
  assert.ok(!spec.process?.capabilities?.bounding?.includes('CAP_SYS_ADMIN'));
  assert.equal(spec.process?.noNewPrivileges, false);
  assert.ok(spec.linux?.maskedPaths?.includes('/proc/kcore'));
  assert.ok(spec.linux?.readonlyPaths?.includes('/proc/sys'));
  assert.equal(spec.linux?.namespaces?.length, 6);
  assert.equal(spec.linux?.seccomp?.defaultAction, 'SCMP_ACT_ERRNO');
  for (const name of ['read', 'write', 'execve', 'clone', 'chroot']) assert.ok(allowed(spec, name), name);
  for (const name of ['kexec_load', 'reboot', 'unshare', 'mount']) assert.ok(!allowed(spec, name), name);
  assert.deepEqual(spec.linux?.resources?.devices?.[0], { allow: false, access: 'rwm' });
  assert.deepEqual(spec.process?.rlimits, [{ type: 'RLIMIT_NOFILE', soft: 20000, hard: 20000 }]);
});

test('cap-add SYS_ADMIN opens unshare and unrestricted clone', () => {
  const spec = composeSpec(base, ...securitySteps(input({ capAdd: ['SYS_ADMIN'] })));
  assert.ok(allowed(spec, 'unshare'));
  const clone = spec.linux?.seccomp?.syscalls?.filter((r) => r.names.includes('clone')) ?? [];
  assert.ok(clone.every((r) => r.args === undefined));
});

test('privileged: all caps, no seccomp, no masked paths, all devices', () => {
  const spec = composeSpec(base, ...securitySteps(input({ privileged: true })));
  assert.equal(spec.process?.capabilities?.bounding?.length, 41);
  assert.equal(spec.linux?.seccomp, undefined);
  assert.deepEqual(spec.linux?.maskedPaths, []);
  assert.deepEqual(spec.linux?.resources?.devices, [{ allow: true, access: 'rwm' }]);
});

test('security-opts reach the spec; bad ones fail before any step runs', () => {
  const spec = composeSpec(
    base,
    ...securitySteps(input({ securityOpt: ['no-new-privileges', 'seccomp=unconfined'] })),
  );
  assert.equal(spec.process?.noNewPrivileges, true);
  assert.equal(spec.linux?.seccomp, undefined);
  assert.throws(
    () => securitySteps(input({ securityOpt: ['nope=1'] })),
    (e) => isPolisError(e, 'request.invalid'),
  );
});
