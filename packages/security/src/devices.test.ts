import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Spec } from '@polis/core';
import { deviceCgroupStep } from './devices.js';

const bare: Spec = { ociVersion: '1.1.0' };

test('unprivileged: deny all first, then the standard character devices; no tun', () => {
  const rules = deviceCgroupStep(false)(bare).linux?.resources?.devices ?? [];
  assert.deepEqual(rules[0], { allow: false, access: 'rwm' });
  const allowed = rules
    .filter((r) => r.allow && r.access === 'rwm')
    .map((r) => `${r.type}:${r.major}:${r.minor ?? '*'}`);
  assert.deepEqual(allowed.sort(), [
    'c:136:*',
    'c:1:3',
    'c:1:5',
    'c:1:7',
    'c:1:8',
    'c:1:9',
    'c:5:0',
    'c:5:1',
    'c:5:2',
  ]);
  assert.ok(!rules.some((r) => r.major === 10 && r.minor === 200));
});

test('privileged allows every device', () => {
  assert.deepEqual(deviceCgroupStep(true)(bare).linux?.resources?.devices, [{ allow: true, access: 'rwm' }]);
});

test('other resources are kept', () => {
  const spec: Spec = { ...bare, linux: { resources: { pids: { limit: 5 } } } };
  assert.deepEqual(deviceCgroupStep(true)(spec).linux?.resources?.pids, { limit: 5 });
});

test('--device-cgroup-rule adds allow rules after the defaults; a malformed rule is refused', () => {
  const rules = deviceCgroupStep(false, ['c 10:200 rwm', 'b *:* m'])(bare).linux?.resources?.devices ?? [];
  assert.deepEqual(rules.slice(-2), [
    { allow: true, type: 'c', major: 10, minor: 200, access: 'rwm' },
    { allow: true, type: 'b', access: 'm' },
  ]);
  assert.throws(() => deviceCgroupStep(false, ['c 10:200']), {
    code: 'request.invalid',
    message: "invalid device cgroup rule format: 'c 10:200'",
  });
});

test('--device: the node and an allow rule after the defaults; bad modes are refused', async () => {
  const { hostDevicesStep, checkDevicePermissions } = await import('./devices.js');
  const dev = {
    path: '/dev/mynull',
    type: 'c' as const,
    major: 1,
    minor: 3,
    fileMode: 0o20666,
    uid: 0,
    gid: 0,
  };
  const spec = hostDevicesStep([{ ...dev, permissions: 'rw' }])(deviceCgroupStep(false)(bare));
  assert.deepEqual(spec.linux?.devices, [dev]);
  assert.deepEqual(spec.linux?.resources?.devices?.at(-1), {
    allow: true,
    type: 'c',
    major: 1,
    minor: 3,
    access: 'rw',
  });
  assert.deepEqual(spec.linux?.resources?.devices?.[0], { allow: false, access: 'rwm' });
  checkDevicePermissions('mrw');
  assert.throws(() => checkDevicePermissions('rx'), { message: 'invalid device mode: rx' });
  assert.throws(() => checkDevicePermissions('rr'), { code: 'request.invalid' });
});
