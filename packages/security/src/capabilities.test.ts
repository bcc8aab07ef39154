import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPolisError, type Spec } from '@polis/core';
import { capabilitiesStep, resolveCapabilities } from './capabilities.js';
import { ALL_CAPABILITIES, DEFAULT_CAPABILITIES } from './capability-names.js';

const bare: Spec = { ociVersion: '1.1.0' };
const none = { privileged: false, capAdd: [], capDrop: [] };

test('default set is Docker’s 14 capabilities on bounding, effective and permitted', () => {
  const caps = capabilitiesStep(none)(bare).process?.capabilities;
  assert.equal(DEFAULT_CAPABILITIES.length, 14);
  assert.deepEqual(caps?.bounding, [...DEFAULT_CAPABILITIES]);
  assert.deepEqual(caps?.effective, [...DEFAULT_CAPABILITIES]);
  assert.deepEqual(caps?.permitted, [...DEFAULT_CAPABILITIES]);
  assert.deepEqual(caps?.inheritable, []);
  assert.deepEqual(caps?.ambient, []);
  assert.equal(bare.process, undefined, 'input spec is not mutated');
});

test('non-root process gets only the bounding set', () => {
  const spec: Spec = { ...bare, process: { user: { uid: 1000, gid: 1000 }, args: ['sh'], cwd: '/' } };
  const out = capabilitiesStep(none)(spec).process;
  assert.deepEqual(out?.capabilities?.bounding, [...DEFAULT_CAPABILITIES]);
  assert.deepEqual(out?.capabilities?.effective, []);
  assert.deepEqual(out?.capabilities?.permitted, []);
  assert.deepEqual(out?.args, ['sh']);
});

test('cap-add accepts any case, with or without CAP_', () => {
  const caps = resolveCapabilities({ ...none, capAdd: ['net_admin', 'CAP_SYS_PTRACE', 'Sys_Time'] });
  assert.deepEqual(caps.slice(-3), ['CAP_NET_ADMIN', 'CAP_SYS_PTRACE', 'CAP_SYS_TIME']);
  assert.equal(caps.length, 17);
});

test('cap-drop removes from the default set; adding a default cap does not duplicate it', () => {
  const caps = resolveCapabilities({ ...none, capAdd: ['chown'], capDrop: ['net_raw', 'CAP_MKNOD'] });
  assert.ok(!caps.includes('CAP_NET_RAW'));
  assert.ok(!caps.includes('CAP_MKNOD'));
  assert.equal(caps.filter((c) => c === 'CAP_CHOWN').length, 1);
  assert.equal(caps.length, 12);
});

test('drop ALL then add keeps only the added', () => {
  assert.deepEqual(resolveCapabilities({ ...none, capDrop: ['ALL'], capAdd: ['net_bind_service'] }), [
    'CAP_NET_BIND_SERVICE',
  ]);
  assert.deepEqual(resolveCapabilities({ ...none, capDrop: ['all'] }), []);
});

test('add ALL gives every capability except the dropped ones', () => {
  const caps = resolveCapabilities({ ...none, capAdd: ['ALL'], capDrop: ['sys_admin'] });
  assert.equal(caps.length, ALL_CAPABILITIES.length - 1);
  assert.ok(!caps.includes('CAP_SYS_ADMIN'));
});

test('privileged gets all 41 capabilities, limited to the host’s when given', () => {
  const caps = resolveCapabilities({ ...none, privileged: true, capDrop: ['chown'] });
  assert.equal(caps.length, 41);
  assert.equal(caps.at(-1), 'CAP_CHECKPOINT_RESTORE');
  const host = ALL_CAPABILITIES.filter((c) => c !== 'CAP_SYS_RESOURCE');
  const limited = resolveCapabilities({ ...none, privileged: true, hostCapabilities: host });
  assert.equal(limited.length, 40);
  assert.ok(!limited.includes('CAP_SYS_RESOURCE'));
});

test('unknown capability is request.invalid', () => {
  assert.throws(
    () => resolveCapabilities({ ...none, capAdd: ['NET_FLY'] }),
    (err) => isPolisError(err, 'request.invalid') && err.message.includes('CAP_NET_FLY'),
  );
  assert.throws(
    () => capabilitiesStep({ ...none, capDrop: ['bogus'] }),
    (err) => isPolisError(err, 'request.invalid'),
  );
});
