import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Spec } from '@polis/core';
import { lsmStep } from './lsm.js';

const bare: Spec = { ociVersion: '1.1.0' };
const none = { apparmor: false, selinux: false };

test('without AppArmor or SELinux: a profile or label is refused, unconfined and disable are no-ops', () => {
  assert.throws(() => lsmStep({ apparmorProfile: 'docker-default', labels: [] }, none), {
    code: 'request.invalid',
    message: /AppArmor is not enabled on this host/,
  });
  assert.throws(() => lsmStep({ labels: ['type:svirt_t'] }, none), { message: /SELinux is not enabled/ });
  assert.equal(lsmStep({ apparmorProfile: 'unconfined', labels: ['disable'] }, none)(bare), bare);
});

test('with the modules: the profile and the label reach the process', () => {
  const spec = lsmStep(
    { apparmorProfile: 'my-profile', labels: ['type:svirt_t', 'level:s0:c1,c2'] },
    { apparmor: true, selinux: true },
  )(bare);
  assert.equal(spec.process?.apparmorProfile, 'my-profile');
  assert.equal(spec.process?.selinuxLabel, 'system_u:system_r:svirt_t:s0:c1,c2');
  assert.throws(() => lsmStep({ labels: ['bogus'] }, { apparmor: false, selinux: true }), {
    message: /bad label option/,
  });
});
