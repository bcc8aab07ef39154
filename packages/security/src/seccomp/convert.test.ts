import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPolisError, type Seccomp } from '@polis/core';
import { DEFAULT_CAPABILITIES } from '../capability-names.js';
import { toOciSeccomp } from './convert.js';
import { DEFAULT_SECCOMP_PROFILE } from './default-syscalls.js';
import { parseDockerSeccompProfile } from './docker-profile.js';

const defaults = { capabilities: DEFAULT_CAPABILITIES, arch: 'amd64' as const };

function allows(s: Seccomp, name: string): boolean {
  return (s.syscalls ?? []).some((r) => r.action === 'SCMP_ACT_ALLOW' && r.names.includes(name));
}

test('default profile: ERRNO(EPERM) by default, x86 architectures on amd64', () => {
  const s = toOciSeccomp(DEFAULT_SECCOMP_PROFILE, defaults);
  assert.equal(s.defaultAction, 'SCMP_ACT_ERRNO');
  assert.equal(s.defaultErrnoRet, 1);
  assert.deepEqual(s.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  const arm = toOciSeccomp(DEFAULT_SECCOMP_PROFILE, { ...defaults, arch: 'arm64' });
  assert.deepEqual(arm.architectures, ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
  assert.ok(allows(arm, 'set_tls'));
  assert.ok(!allows(s, 'set_tls'));
});

test('default profile allows everyday syscalls and refuses dangerous ones', () => {
  const s = toOciSeccomp(DEFAULT_SECCOMP_PROFILE, defaults);
  for (const name of ['read', 'write', 'execve', 'openat', 'arch_prctl', 'chroot', 'ptrace']) {
    assert.ok(allows(s, name), name);
  }
  for (const name of ['kexec_load', 'reboot', 'mount', 'unshare', 'setns', 'init_module', 'bpf', 'acct']) {
    assert.ok(!allows(s, name), name);
  }
});

test('clone is allowed only without namespace flags unless CAP_SYS_ADMIN; clone3 gets ENOSYS', () => {
  const s = toOciSeccomp(DEFAULT_SECCOMP_PROFILE, defaults);
  const clone = (s.syscalls ?? []).filter((r) => r.names.includes('clone'));
  assert.deepEqual(clone, [
    {
      names: ['clone'],
      action: 'SCMP_ACT_ALLOW',
      args: [{ index: 0, value: 2114060288, op: 'SCMP_CMP_MASKED_EQ' }],
    },
  ]);
  assert.deepEqual(
    (s.syscalls ?? []).find((r) => r.names.includes('clone3')),
    { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
  );
  const admin = toOciSeccomp(DEFAULT_SECCOMP_PROFILE, { ...defaults, capabilities: ['CAP_SYS_ADMIN'] });
  assert.ok(allows(admin, 'unshare') && allows(admin, 'mount') && allows(admin, 'clone3'));
  const adminClone = (admin.syscalls ?? []).filter((r) => r.names.includes('clone'));
  assert.equal(adminClone.length, 1);
  assert.equal(adminClone[0]?.args, undefined);
});

test('capability-conditional rules follow the capability set', () => {
  const without = toOciSeccomp(DEFAULT_SECCOMP_PROFILE, { ...defaults, capabilities: [] });
  assert.ok(!allows(without, 'chroot'), 'chroot needs CAP_SYS_CHROOT');
  const boot = toOciSeccomp(DEFAULT_SECCOMP_PROFILE, { ...defaults, capabilities: ['CAP_SYS_BOOT'] });
  assert.ok(allows(boot, 'reboot'));
  const time = toOciSeccomp(DEFAULT_SECCOMP_PROFILE, { ...defaults, capabilities: ['CAP_SYS_TIME'] });
  assert.ok(allows(time, 'settimeofday') && allows(time, 'clock_settime'));
});

test('personality is allowed only for the listed values', () => {
  const s = toOciSeccomp(DEFAULT_SECCOMP_PROFILE, defaults);
  const values = (s.syscalls ?? [])
    .filter((r) => r.names.includes('personality'))
    .map((r) => r.args?.[0]?.value);
  assert.deepEqual(values, [0, 8, 131072, 131080, 4294967295]);
});

test('minKernel: ptrace without CAP_SYS_PTRACE only from kernel 4.8', () => {
  assert.ok(
    allows(toOciSeccomp(DEFAULT_SECCOMP_PROFILE, { ...defaults, kernel: '6.1.0-18-amd64' }), 'ptrace'),
  );
  assert.ok(!allows(toOciSeccomp(DEFAULT_SECCOMP_PROFILE, { ...defaults, kernel: '4.4.0' }), 'ptrace'));
});

test('a user profile in Docker’s format converts, with flat architectures and old `name`', () => {
  const profile = parseDockerSeccompProfile(
    JSON.parse(
      '{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],' +
        '"syscalls":[{"name":"mkdir","action":"SCMP_ACT_ERRNO","args":null,"errnoRet":13}]}',
    ),
  );
  assert.deepEqual(toOciSeccomp(profile, defaults), {
    defaultAction: 'SCMP_ACT_ALLOW',
    architectures: ['SCMP_ARCH_X86_64'],
    syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }],
  });
});

test('malformed profiles are request.invalid', () => {
  const bad = [
    [],
    { syscalls: [] },
    { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: 'read', action: 'SCMP_ACT_ALLOW' }] },
    { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read'] }] },
    { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['x'], action: 'A', args: [{ index: 0 }] }] },
  ];
  for (const p of bad) {
    assert.throws(
      () => parseDockerSeccompProfile(p),
      (err) => isPolisError(err, 'request.invalid'),
    );
  }
  const both = parseDockerSeccompProfile({
    defaultAction: 'SCMP_ACT_ALLOW',
    architectures: ['SCMP_ARCH_X86_64'],
    archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: null }],
  });
  assert.throws(
    () => toOciSeccomp(both, defaults),
    (err) => isPolisError(err, 'request.invalid'),
  );
});
