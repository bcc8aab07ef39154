import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPolisError, type ResourceSpec } from '@polis/core';
import { checkConflicts, mergeResources, resourcesToWrite } from './update.js';

const MB = 1024 * 1024;
const base: ResourceSpec = { ulimits: [], memory: 32 * MB, nanoCpus: 5e8, pidsLimit: 20 };

describe('update of limits', () => {
  it('merges the change; swap follows a memory limit set without one (twice it)', () => {
    const merged = mergeResources(base, { memory: 64 * MB, nanoCpus: 1e9 });
    assert.deepEqual(merged, { ulimits: [], memory: 64 * MB, nanoCpus: 1e9, pidsLimit: 20 });
    assert.deepEqual(resourcesToWrite(merged, { memory: 64 * MB, nanoCpus: 1e9 }), {
      memory: { limit: 64 * MB, swap: 128 * MB },
      cpu: { period: 100_000, quota: 100_000 },
    });
  });

  it('-1 lifts the pids and swap limits, written as such', () => {
    const change = { pidsLimit: -1, memorySwap: -1 };
    const merged = mergeResources(base, change);
    assert.equal(merged.pidsLimit, undefined);
    assert.deepEqual(resourcesToWrite(merged, change), {
      memory: { limit: 32 * MB, swap: -1 },
      pids: { limit: -1 },
    });
  });

  it("the merged limits are checked as at create (Docker's words)", () => {
    assert.throws(
      () =>
        resourcesToWrite(
          mergeResources({ ulimits: [], memory: 64 * MB, memorySwap: 128 * MB }, { memorySwap: 32 * MB }),
          { memorySwap: 32 * MB },
        ),
      /Minimum memoryswap limit should be larger than memory limit/,
    );
  });

  it("--cpus against a quota or period already set, and memory above a set swap limit, are Docker's 409s", () => {
    const conflict = (
      current: ResourceSpec,
      change: Parameters<typeof checkConflicts>[1],
      message: RegExp,
    ): void =>
      assert.throws(
        () => checkConflicts(current, change),
        (e) => isPolisError(e, 'request.conflict') && message.test(e.message),
      );
    conflict(base, { cpuQuota: 20_000 }, /CPU Quota cannot be updated as NanoCPUs has already been set/);
    conflict(
      { ulimits: [], cpuPeriod: 50_000 },
      { nanoCpus: 1e9 },
      /Nano CPUs cannot be updated as CPU Period/,
    );
    conflict(
      { ulimits: [], memory: 32 * MB, memorySwap: 64 * MB },
      { memory: 128 * MB },
      /Memory limit should be smaller than already set memoryswap limit/,
    );
    checkConflicts(base, { memory: 128 * MB });
  });
});
