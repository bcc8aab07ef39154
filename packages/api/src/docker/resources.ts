import { availableParallelism } from 'node:os';
import type { ResourceSpec, Ulimit } from '@polis/core';
import { invalid } from '../http/errors.js';
import { FULL_SUPPORT, type CgroupSupport } from './cgroup-support.js';
import type { Fields } from './fields.js';

const MIN_MEMORY = 6 * 1024 * 1024;
const CPU_LIST = /^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$/;

/** Docker's zero means "not set"; keep undefined so the runtime applies its default. */
function set(n: number | undefined): number | undefined {
  return n === undefined || n === 0 ? undefined : n;
}

export interface ResourceContext {
  ncpu?: number;
  support?: CgroupSupport;
  /** The cgroup driver: a systemd parent must be a slice. */
  cgroupDriver?: 'cgroupfs' | 'systemd';
}

/** The basic limits of a create or update body, with the warnings for what this host cannot enforce. */
export interface ResourceRequest {
  resources: ResourceSpec;
  warnings: string[];
}

/**
 * HostConfig's resource fields (the same names as the update body's), with the checks (and words) of
 * Docker's daemon (verifyPlatformContainerResources). A limit this host's cgroups cannot enforce is
 * dropped with Docker's "Your kernel does not support …" warning.
 */
export function resourcesFrom(host: Fields, ctx: ResourceContext = {}): ResourceRequest {
  const ncpu = ctx.ncpu ?? availableParallelism();
  const support = ctx.support ?? FULL_SUPPORT;
  const warnings: string[] = [];
  let memory = set(host.int('Memory'));
  let memorySwap = set(host.int('MemorySwap'));
  let memoryReservation = set(host.int('MemoryReservation'));
  const nanoCpus = set(host.int('NanoCpus'));
  let cpuShares = set(host.int('CpuShares'));
  let cpuQuota = set(host.int('CpuQuota'));
  let cpuPeriod = set(host.int('CpuPeriod'));
  const shmSize = set(host.int('ShmSize'));
  const pids = host.int('PidsLimit');
  let cpusetCpus = host.str('CpusetCpus') || undefined;

  if (memory !== undefined && memory < MIN_MEMORY) throw invalid('Minimum memory limit allowed is 6MB');
  if (memory !== undefined && !support.memoryLimit) {
    warnings.push(
      'Your kernel does not support memory limit capabilities or the cgroup is not mounted. Limitation discarded.',
    );
    memory = undefined;
    memorySwap = undefined;
  }
  if (memorySwap !== undefined) {
    if (memorySwap < -1) throw invalid(`invalid MemorySwap: ${memorySwap}`);
    if (memorySwap > 0 && memory === undefined) {
      throw invalid('You should always set the Memory limit when using Memoryswap limit, see usage');
    }
    if (memorySwap > 0 && memory !== undefined && memorySwap < memory) {
      throw invalid('Minimum memoryswap limit should be larger than memory limit, see usage');
    }
  }
  if (memory !== undefined && memorySwap !== -1 && !support.swapLimit) {
    warnings.push(
      'Your kernel does not support swap limit capabilities or the cgroup is not mounted. Memory limited without swap.',
    );
    memorySwap = -1;
  }
  if (memoryReservation !== undefined) {
    if (memoryReservation < MIN_MEMORY) throw invalid('Minimum memory reservation allowed is 6MB');
    if (memory !== undefined && memory < memoryReservation) {
      throw invalid('Minimum memory limit can not be less than memory reservation limit, see usage');
    }
    if (!support.memoryReservation) {
      warnings.push(
        'Your kernel does not support memory soft limit capabilities or the cgroup is not mounted. Limitation discarded.',
      );
      memoryReservation = undefined;
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
    if (!support.cpuCfs) {
      throw invalid(
        'NanoCPUs can not be set, as your kernel does not support CPU CFS scheduler or the cgroup is not mounted',
      );
    }
  }
  if (cpuShares !== undefined && cpuShares < 0) throw invalid('CpuShares must not be negative');
  if (cpuShares !== undefined && !support.cpuShares) {
    warnings.push('Your kernel does not support CPU shares or the cgroup is not mounted. Shares discarded.');
    cpuShares = undefined;
  }
  if (cpuPeriod !== undefined && !support.cpuCfs) {
    warnings.push(
      'Your kernel does not support CPU cfs period or the cgroup is not mounted. Period discarded.',
    );
    cpuPeriod = undefined;
  }
  if (cpuQuota !== undefined && !support.cpuCfs) {
    warnings.push(
      'Your kernel does not support CPU cfs quota or the cgroup is not mounted. Quota discarded.',
    );
    cpuQuota = undefined;
  }
  if (cpuPeriod !== undefined && (cpuPeriod < 1000 || cpuPeriod > 1_000_000)) {
    throw invalid('CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)');
  }
  if (cpuQuota !== undefined && cpuQuota !== -1 && cpuQuota < 1000) {
    throw invalid('CPU cfs quota can not be less than 1ms (i.e. 1000)');
  }
  if (cpusetCpus !== undefined) {
    if (!support.cpuset) {
      warnings.push('Your kernel does not support cpuset or the cgroup is not mounted. Cpuset discarded.');
      cpusetCpus = undefined;
    } else {
      if (!CPU_LIST.test(cpusetCpus)) throw invalid(`Invalid value ${cpusetCpus} for cpuset cpus`);
      if (support.cpus !== '' && !cpusetWithin(cpusetCpus, support.cpus)) {
        throw invalid(
          `Requested CPUs are not available - requested ${cpusetCpus}, available: ${support.cpus}`,
        );
      }
    }
  }
  let pidsLimit = pids !== undefined && pids !== 0 ? pids : undefined;
  if (pidsLimit !== undefined && pidsLimit > 0 && !support.pidsLimit) {
    warnings.push(
      'Your kernel does not support PIDs limit capabilities or the cgroup is not mounted. PIDs limit discarded.',
    );
    pidsLimit = undefined;
  }
  if (shmSize !== undefined && shmSize < 0) throw invalid('SHM size can not be less than 0');
  const cgroupParent = host.str('CgroupParent') || undefined;
  if (cgroupParent !== undefined) checkCgroupParent(cgroupParent, ctx.cgroupDriver ?? 'cgroupfs');

  const ulimits: Ulimit[] = host.list('Ulimits').map((u) => {
    const name = u.str('Name') ?? '';
    const soft = u.int('Soft') ?? 0;
    const hard = u.int('Hard') ?? 0;
    if (!/^[a-z]+$/.test(name)) throw invalid(`invalid ulimit name: ${JSON.stringify(name)}`);
    if (soft > hard)
      throw invalid(`ulimit soft limit must be less than or equal to hard limit: ${soft} > ${hard}`);
    return { name, soft, hard };
  });

  const resources = compact({
    memory,
    memorySwap,
    memoryReservation,
    nanoCpus,
    cpuShares,
    cpuQuota,
    cpuPeriod,
    cpusetCpus,
    // Zero or negative is "unlimited" in Docker (an update keeps -1 to lift a limit).
    pidsLimit,
    ulimits,
    shmSize,
    cgroupParent,
  });
  return { resources, warnings };
}

/**
 * Docker's checks of `--cgroup-parent`: with systemd the parent is a slice; with cgroupfs a path that
 * stays below the hierarchy (no `..`), absolute or relative to the root.
 */
function checkCgroupParent(parent: string, driver: 'cgroupfs' | 'systemd'): void {
  if (driver === 'systemd') {
    if (!/^[A-Za-z0-9_.-]+\.slice$/.test(parent) || parent.includes('/')) {
      throw invalid('cgroup-parent for systemd cgroup should be a valid slice named as "xxx.slice"');
    }
    return;
  }
  if (parent.endsWith('.slice') && !parent.includes('/')) {
    throw invalid(`cgroup-parent "${parent}" is a systemd slice, but the cgroupfs driver is in use`);
  }
  if (parent.split('/').some((part) => part === '..' || part === '.') || /[\s:]/.test(parent)) {
    throw invalid(`invalid cgroup-parent "${parent}"`);
  }
}

/** Whether every CPU or node of a cpuset list (`0-1,3`) is in the available list. */
export function cpusetWithin(requested: string, available: string): boolean {
  const set = (list: string): Set<number> => {
    const out = new Set<number>();
    for (const part of list.split(',').filter(Boolean)) {
      const [a, b = a] = part.split('-').map(Number) as [number, number?];
      // No host has this many CPUs; refuse rather than loop over a hostile range.
      if ((b as number) - a > 4096) return new Set([-1]);
      for (let i = a; i <= (b as number); i++) out.add(i);
    }
    return out;
  };
  const have = set(available);
  return [...set(requested)].every((n) => have.has(n));
}

/** Drops the keys that are undefined, so an absent setting is absent rather than `undefined`. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
