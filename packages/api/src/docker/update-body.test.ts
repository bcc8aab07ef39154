import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPolisError } from '@polis/core';
import { FULL_SUPPORT } from './cgroup-support.js';
import { Fields } from './fields.js';
import { updateRequestFrom } from './update-body.js';

const MB = 1024 * 1024;
const parse = (body: unknown, support = FULL_SUPPORT) => updateRequestFrom(Fields.of(body, ''), support, 2);

describe('the update body', () => {
  it('maps the limits Docker updates; zero is no change; -1 lifts pids and swap', () => {
    const { changes, warnings } = parse({
      Memory: 64 * MB,
      MemorySwap: -1,
      MemoryReservation: 0,
      NanoCpus: 1e9,
      CpuShares: 512,
      CpusetCpus: '1',
      CpusetMems: '0',
      PidsLimit: -1,
      BlkioWeight: 300,
      RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 },
    });
    assert.deepEqual(warnings, []);
    assert.deepEqual(changes, {
      restartPolicy: { name: 'on-failure', maximumRetryCount: 2 },
      resources: {
        memory: 64 * MB,
        memorySwap: -1,
        nanoCpus: 1e9,
        cpuShares: 512,
        cpusetCpus: '1',
        cpusetMems: '0',
        pidsLimit: -1,
        blkioWeight: 300,
      },
    });
  });

  it("checks values as at create, in Docker's words", () => {
    const refused = (body: unknown, message: RegExp): void =>
      assert.throws(
        () => parse(body),
        (e) => isPolisError(e, 'request.invalid') && message.test(e.message),
      );
    refused({ Memory: 4 * MB }, /^Minimum memory limit allowed is 6MB$/);
    refused({ NanoCpus: 1e9, CpuQuota: 50_000 }, /^Conflicting options: Nano CPUs and CPU Quota/);
    refused({ CpusetCpus: '5' }, /^Requested CPUs are not available - requested 5, available: 0-1$/);
    refused({ CpusetMems: '2' }, /^Requested memory nodes are not available/);
    refused({ BlkioWeight: 5 }, /^Range of blkio weight is from 10 to 1000$/);
    refused({ NanoCpus: 3e9 }, /^Range of CPUs is from 0.01 to 2.00/);
  });

  it("what the host cannot enforce is dropped with Docker's warning", () => {
    const { changes, warnings } = parse(
      { BlkioWeight: 300, Memory: 64 * MB, KernelMemory: 8 * MB },
      { ...FULL_SUPPORT, blkioWeight: false, swapLimit: false },
    );
    assert.deepEqual(warnings, [
      'Your kernel does not support swap limit capabilities or the cgroup is not mounted. Memory limited without swap.',
      'Specifying a kernel memory limit is deprecated and will be removed in a future release.',
      'Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.',
    ]);
    assert.deepEqual(changes.resources, { memory: 64 * MB, memorySwap: -1 });
  });

  it('fields Docker cannot update either are a 501 naming them', () => {
    assert.throws(
      () => parse({ Ulimits: [{ Name: 'nofile', Soft: 1, Hard: 1 }], CgroupParent: 'x' }),
      (e) =>
        isPolisError(e, 'request.not_implemented') &&
        /updating CgroupParent, Ulimits of a container/.test(e.message),
    );
  });
});
