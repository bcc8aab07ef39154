import { availableParallelism } from 'node:os';
import type { ResourceSpec, Ulimit } from '@polis/core';
import { invalid } from '../http/errors.js';
import type { Fields } from './fields.js';

const MIN_MEMORY = 6 * 1024 * 1024;

/** Docker's zero means "not set"; keep undefined so the runtime applies its default. */
function set(n: number | undefined): number | undefined {
  return n === undefined || n === 0 ? undefined : n;
}

/** HostConfig's resource fields, with the checks (and words) of Docker's daemon. */
export function resourcesFrom(host: Fields, ncpu = availableParallelism()): ResourceSpec {
  const memory = set(host.int('Memory'));
  const memorySwap = set(host.int('MemorySwap'));
  const memoryReservation = set(host.int('MemoryReservation'));
  const nanoCpus = set(host.int('NanoCpus'));
  const cpuShares = set(host.int('CpuShares'));
  const cpuQuota = set(host.int('CpuQuota'));
  const cpuPeriod = set(host.int('CpuPeriod'));
  const shmSize = set(host.int('ShmSize'));
  const pids = host.int('PidsLimit');
  const cpusetCpus = host.str('CpusetCpus') || undefined;

  if (memory !== undefined && memory < MIN_MEMORY) throw invalid('Minimum memory limit allowed is 6MB');
  if (memorySwap !== undefined) {
    if (memorySwap < -1) throw invalid(`invalid MemorySwap: ${memorySwap}`);
    if (memorySwap > 0 && memory === undefined) {
      throw invalid('You should always set the Memory limit when using Memoryswap limit, see usage');
    }
    if (memorySwap > 0 && memory !== undefined && memorySwap < memory) {
      throw invalid('Minimum memoryswap limit should be larger than memory limit, see usage');
    }
  }
  if (memoryReservation !== undefined) {
    if (memoryReservation < MIN_MEMORY) throw invalid('Minimum memory reservation allowed is 6MB');
    if (memory !== undefined && memory < memoryReservation) {
      throw invalid('Minimum memory limit can not be less than memory reservation limit, see usage');
    }
  }
  if (nanoCpus !== undefined) {
    if (cpuPeriod !== undefined)
      throw invalid('Conflicting options: Nano CPUs and CPU Period cannot both be set');
    if (cpuQuota !== undefined)
      throw invalid('Conflicting options: Nano CPUs and CPU Quota cannot both be set');
    if (nanoCpus < 0 || nanoCpus > ncpu * 1e9) {
      throw invalid(`Range of CPUs is from 0.01 to ${ncpu}.00, as there are only ${ncpu} CPUs available`);
    }
  }
  if (cpuPeriod !== undefined && (cpuPeriod < 1000 || cpuPeriod > 1_000_000)) {
    throw invalid('CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)');
  }
  if (cpuQuota !== undefined && cpuQuota !== -1 && cpuQuota < 1000) {
    throw invalid('CPU cfs quota can not be less than 1ms (i.e. 1000)');
  }
  if (cpuShares !== undefined && cpuShares < 0) throw invalid('CpuShares must not be negative');
  if (cpusetCpus !== undefined && !/^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$/.test(cpusetCpus)) {
    throw invalid(`Invalid value ${cpusetCpus} for cpuset cpus`);
  }
  if (shmSize !== undefined && shmSize < 0) throw invalid('SHM size can not be less than 0');

  const ulimits: Ulimit[] = host.list('Ulimits').map((u) => {
    const name = u.str('Name') ?? '';
    const soft = u.int('Soft') ?? 0;
    const hard = u.int('Hard') ?? 0;
    if (!/^[a-z]+$/.test(name)) throw invalid(`invalid ulimit name: ${JSON.stringify(name)}`);
    if (soft > hard)
      throw invalid(`ulimit soft limit must be less than or equal to hard limit: ${soft} > ${hard}`);
    return { name, soft, hard };
  });

  return compact({
    memory,
    memorySwap,
    memoryReservation,
    nanoCpus,
    cpuShares,
    cpuQuota,
    cpuPeriod,
    cpusetCpus,
    // Zero or negative is "unlimited" in Docker.
    pidsLimit: pids !== undefined && pids > 0 ? pids : undefined,
    ulimits,
    shmSize,
  });
}

/** Drops the keys that are undefined, so an absent setting is absent rather than `undefined`. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
