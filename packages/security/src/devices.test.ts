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
