import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPolisError, type Spec } from '@polis/core';
import { resourcesStep } from './resources.js';

const bare: Spec = { ociVersion: '1.1.0' };
const MB = 1024 * 1024;

test('no limits: resources untouched apart from existing entries', () => {
  const spec: Spec = { ...bare, linux: { resources: { devices: [{ allow: false, access: 'rwm' }] } } };
  assert.deepEqual(resourcesStep({ ulimits: [] })(spec).linux?.resources, {
    devices: [{ allow: false, access: 'rwm' }],
  });
});

test('memory: limit, reservation, and swap defaulting to twice the limit', () => {
  const res = resourcesStep({ ulimits: [], memory: 64 * MB, memoryReservation: 32 * MB })(bare).linux
    ?.resources;
  assert.deepEqual(res?.memory, { limit: 64 * MB, reservation: 32 * MB, swap: 128 * MB });
  const unlimitedSwap = resourcesStep({ ulimits: [], memory: 64 * MB, memorySwap: -1 })(bare);
  assert.equal(unlimitedSwap.linux?.resources?.memory?.swap, -1);
});

test('nanoCpus becomes a quota over a 100ms period', () => {
  const cpu = resourcesStep({ ulimits: [], nanoCpus: 1.5e9, cpuShares: 512, cpusetCpus: '0-1' })(bare).linux
    ?.resources?.cpu;
  assert.deepEqual(cpu, { shares: 512, period: 100000, quota: 150000, cpus: '0-1' });
});

test('explicit quota and period, and a pids limit', () => {
  const res = resourcesStep({ ulimits: [], cpuQuota: 50000, cpuPeriod: 200000, pidsLimit: 100 })(bare).linux
    ?.resources;
  assert.deepEqual(res?.cpu, { quota: 50000, period: 200000 });
  assert.deepEqual(res?.pids, { limit: 100 });
  assert.equal(resourcesStep({ ulimits: [], pidsLimit: -1 })(bare).linux?.resources?.pids, undefined);
});

test('invalid combinations are refused when the step is built', () => {
  const bad = [
    { memory: MB },
    { memorySwap: 100 * MB },
    { memory: 64 * MB, memorySwap: 32 * MB },
    { memory: 64 * MB, memoryReservation: 128 * MB },
    { nanoCpus: 1e9, cpuPeriod: 100000 },
    { nanoCpus: 1e9, cpuQuota: 50000 },
    { nanoCpus: 1000 },
    { cpuPeriod: 10 },
    { cpuQuota: 10 },
    { cpusetCpus: '0-a' },
  ];
  for (const r of bad) {
    assert.throws(
      () => resourcesStep({ ulimits: [], ...r }),
      (e) => isPolisError(e, 'request.invalid'),
      JSON.stringify(r),
    );
  }
});
