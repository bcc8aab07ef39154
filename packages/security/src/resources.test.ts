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
  // Unlimited swap writes nothing: a fresh cgroup has none, and a host without swap accounting has no file.
  const unlimitedSwap = resourcesStep({ ulimits: [], memory: 64 * MB, memorySwap: -1 })(bare);
  assert.deepEqual(unlimitedSwap.linux?.resources?.memory, { limit: 64 * MB });
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

test('swappiness, OOM killer, cpuset mems, real-time, blkio weight and the OOM score reach the spec', () => {
  const spec = resourcesStep({
    ulimits: [],
    memorySwappiness: 0,
    oomKillDisable: true,
    cpusetMems: '0',
    cpuRealtimePeriod: 1_000_000,
    cpuRealtimeRuntime: 500,
    blkioWeight: 300,
    oomScoreAdj: -500,
  })({ ociVersion: '1.0.2' });
  assert.deepEqual(spec.linux?.resources?.memory, { swappiness: 0, disableOOMKiller: true });
  assert.deepEqual(spec.linux?.resources?.cpu, {
    mems: '0',
    realtimePeriod: 1_000_000,
    realtimeRuntime: 500,
  });
  assert.deepEqual(spec.linux?.resources?.blockIO, { weight: 300 });
  assert.equal(spec.process?.oomScoreAdj, -500);
});

test('out-of-range swappiness, OOM score, blkio weight and real-time runtime are refused with Docker words', () => {
  for (const [r, message] of [
    [{ memorySwappiness: 101 }, 'Invalid value: 101, valid memory swappiness range is 0-100'],
    [{ oomScoreAdj: 1001 }, 'Invalid value 1001, range for oom score adj is [-1000, 1000]'],
    [{ blkioWeight: 5 }, 'Range of blkio weight is from 10 to 1000'],
    [
      { cpuRealtimePeriod: 10, cpuRealtimeRuntime: 20 },
      'cpu real-time runtime cannot be higher than cpu real-time period',
    ],
    [{ cpusetMems: 'x' }, 'Invalid value x for cpuset mems'],
  ] as const) {
    assert.throws(() => resourcesStep({ ulimits: [], ...r }), { code: 'request.invalid', message });
  }
});
