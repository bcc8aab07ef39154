import { PolisError } from '@polis/core';
import type { UpdateOptions } from '@polis/runtime';
import { invalid } from '../http/errors.js';
import type { CgroupSupport } from './cgroup-support.js';
import { restartPolicyFrom } from './create-body.js';
import type { Fields } from './fields.js';
import { compact, cpusetWithin, resourcesFrom } from './resources.js';

/** The `Resources` fields Docker's update applies; the others of 1.41's `Resources` are refused below. */
const UPDATABLE = [
  'Memory',
  'MemorySwap',
  'MemoryReservation',
  'NanoCpus',
  'CpuShares',
  'CpuPeriod',
  'CpuQuota',
  'CpusetCpus',
  'CpusetMems',
  'PidsLimit',
  'BlkioWeight',
  'KernelMemory',
];

/** Every other field of the 1.41 `Resources`: none may pass unheard. */
const NOT_UPDATABLE = [
  'CgroupParent',
  'BlkioWeightDevice',
  'BlkioDeviceReadBps',
  'BlkioDeviceWriteBps',
  'BlkioDeviceReadIOps',
  'BlkioDeviceWriteIOps',
  'CpuRealtimePeriod',
  'CpuRealtimeRuntime',
  'Devices',
  'DeviceCgroupRules',
  'DeviceRequests',
  'KernelMemoryTCP',
  'MemorySwappiness',
  'OomKillDisable',
  'Init',
  'Ulimits',
  'CpuCount',
  'CpuPercent',
  'IOMaximumIOps',
  'IOMaximumBandwidth',
];

function given(body: Fields, key: string): boolean {
  const v = body.raw(key);
  // Go zero values (and the CLI's -1 for an unset swappiness) mean "no change".
  return (
    v !== undefined &&
    v !== null &&
    v !== 0 &&
    v !== '' &&
    v !== false &&
    !(key === 'MemorySwappiness' && v === -1) &&
    !(Array.isArray(v) && v.length === 0)
  );
}

export interface UpdateRequest {
  changes: UpdateOptions;
  warnings: string[];
}

/**
 * The body of `POST /containers/{id}/update`: the restart policy and the limits Docker can change on
 * a live container, checked as at create (Docker's words). What this host cannot enforce is dropped
 * with Docker's warning; what Docker cannot update either is a 501 naming the fields.
 */
export function updateRequestFrom(body: Fields, support: CgroupSupport, ncpu?: number): UpdateRequest {
  const refused = NOT_UPDATABLE.filter((k) => given(body, k));
  if (refused.length > 0) {
    throw new PolisError(
      'request.not_implemented',
      `updating ${refused.join(', ')} of a container is not supported; update changes ${UPDATABLE.filter((k) => k !== 'KernelMemory').join(', ')} and RestartPolicy`,
    );
  }
  const changes: UpdateOptions = {};
  if (body.raw('RestartPolicy') !== undefined) changes.restartPolicy = restartPolicyFrom(body);
  const { resources, warnings } = resourcesFrom(body, { support, ...(ncpu !== undefined ? { ncpu } : {}) });
  if (given(body, 'KernelMemory')) {
    warnings.push('Specifying a kernel memory limit is deprecated and will be removed in a future release.');
  }
  let cpusetMems = body.str('CpusetMems') || undefined;
  if (cpusetMems !== undefined) {
    if (!support.cpuset) {
      warnings.push('Your kernel does not support cpuset or the cgroup is not mounted. Cpuset discarded.');
      cpusetMems = undefined;
    } else if (!/^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$/.test(cpusetMems)) {
      throw invalid(`Invalid value ${cpusetMems} for cpuset mems`);
    } else if (support.mems !== '' && !cpusetWithin(cpusetMems, support.mems)) {
      throw invalid(
        `Requested memory nodes are not available - requested ${cpusetMems}, available: ${support.mems}`,
      );
    }
  }
  let blkioWeight = body.int('BlkioWeight') || undefined;
  if (blkioWeight !== undefined) {
    if (blkioWeight < 10 || blkioWeight > 1000) throw invalid('Range of blkio weight is from 10 to 1000');
    if (!support.blkioWeight) {
      warnings.push(
        'Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.',
      );
      blkioWeight = undefined;
    }
  }
  const update = compact({
    memory: resources.memory,
    memorySwap: resources.memorySwap,
    memoryReservation: resources.memoryReservation,
    nanoCpus: resources.nanoCpus,
    cpuShares: resources.cpuShares,
    cpuPeriod: resources.cpuPeriod,
    cpuQuota: resources.cpuQuota,
    cpusetCpus: resources.cpusetCpus,
    cpusetMems,
    pidsLimit: resources.pidsLimit,
    blkioWeight,
  });
  if (Object.keys(update).length > 0) changes.resources = update;
  return { changes, warnings };
}
