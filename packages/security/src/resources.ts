import { PolisError, type ResourceSpec, type Resources, type SpecStep } from '@polis/core';
import { withProcess, withResources } from './spec-parts.js';

/** Docker's floor for memory limits and reservations: below it a container cannot even start. */
const MIN_MEMORY = 6 * 1024 * 1024;
/** CFS period Docker uses to turn `--cpus` into a quota. */
export const CPU_PERIOD = 100_000;

function invalid(message: string, context: Record<string, unknown> = {}): PolisError {
  return new PolisError('request.invalid', message, { context });
}

const cpuList = /^\d+(-\d+)?(,\d+(-\d+)?)*$/;

/** Docker's create-time checks (daemon verifyPlatformContainerResources), with its messages. */
function validate(r: ResourceSpec): void {
  const memory = r.memory ?? 0;
  const swap = r.memorySwap ?? 0;
  const reservation = r.memoryReservation ?? 0;
  if (memory < 0 || reservation < 0) throw invalid('memory limits cannot be negative');
  if (memory > 0 && memory < MIN_MEMORY) throw invalid('Minimum memory limit allowed is 6MB', { memory });
  if (swap > 0 && memory === 0) {
    throw invalid('You should always set the Memory limit when using Memoryswap limit, see usage');
  }
  if (swap > 0 && swap < memory) {
    throw invalid('Minimum memoryswap limit should be larger than memory limit, see usage', { memory, swap });
  }
  if (reservation > 0 && reservation < MIN_MEMORY) throw invalid('Minimum memory reservation allowed is 6MB');
  if (memory > 0 && reservation > memory) {
    throw invalid('Minimum memory limit can not be less than memory reservation limit, see usage');
  }
  const nano = r.nanoCpus ?? 0;
  if (nano < 0 || (nano > 0 && nano < 0.01e9))
    throw invalid('Range of CPUs is from 0.01', { nanoCpus: nano });
  if (nano > 0 && (r.cpuPeriod ?? 0) > 0) {
    throw invalid('Conflicting options: Nano CPUs and CPU Period cannot both be set');
  }
  if (nano > 0 && (r.cpuQuota ?? 0) > 0) {
    throw invalid('Conflicting options: Nano CPUs and CPU Quota cannot both be set');
  }
  if (r.cpuPeriod && (r.cpuPeriod < 1000 || r.cpuPeriod > 1_000_000)) {
    throw invalid('CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)');
  }
  if (r.cpuQuota && r.cpuQuota > 0 && r.cpuQuota < 1000) {
    throw invalid('CPU cfs quota can not be less than 1ms (i.e. 1000)');
  }
  if (r.cpuShares !== undefined && r.cpuShares < 0) throw invalid('CPU shares cannot be negative');
  if (r.cpusetCpus && !cpuList.test(r.cpusetCpus)) {
    throw invalid(`Invalid value ${r.cpusetCpus} for cpuset cpus`, { cpusetCpus: r.cpusetCpus });
  }
  if (r.cpusetMems && !cpuList.test(r.cpusetMems)) {
    throw invalid(`Invalid value ${r.cpusetMems} for cpuset mems`, { cpusetMems: r.cpusetMems });
  }
  const swappiness = r.memorySwappiness;
  if (swappiness !== undefined && (swappiness < 0 || swappiness > 100)) {
    throw invalid(`Invalid value: ${swappiness}, valid memory swappiness range is 0-100`);
  }
  const adj = r.oomScoreAdj;
  if (adj !== undefined && (adj < -1000 || adj > 1000)) {
    throw invalid(`Invalid value ${adj}, range for oom score adj is [-1000, 1000]`);
  }
  if (swap < -1) throw invalid(`invalid MemorySwap: ${swap}`);
  if (r.blkioWeight && (r.blkioWeight < 10 || r.blkioWeight > 1000)) {
    throw invalid('Range of blkio weight is from 10 to 1000');
  }
  const rtPeriod = r.cpuRealtimePeriod ?? 0;
  const rtRuntime = r.cpuRealtimeRuntime ?? 0;
  if (rtPeriod < 0 || rtRuntime < 0) throw invalid('cpu real-time period and runtime cannot be negative');
  if (rtPeriod !== 0 && rtRuntime !== 0 && rtRuntime > rtPeriod) {
    throw invalid('cpu real-time runtime cannot be higher than cpu real-time period');
  }
}

function memoryOf(r: ResourceSpec): Resources['memory'] {
  const memory: NonNullable<Resources['memory']> = {};
  if (r.memory) memory.limit = r.memory;
  if (r.memoryReservation) memory.reservation = r.memoryReservation;
  // As Docker: a memory limit without a swap limit allows as much swap again (swap counts memory+swap).
  // -1 is unlimited: a fresh cgroup is, and a host without swap accounting has no file to write it to.
  if (r.memorySwap && r.memorySwap > 0) memory.swap = r.memorySwap;
  else if (r.memory && r.memorySwap === undefined) memory.swap = r.memory * 2;
  if (r.memorySwappiness !== undefined) memory.swappiness = r.memorySwappiness;
  if (r.oomKillDisable) memory.disableOOMKiller = true;
  return Object.keys(memory).length ? memory : undefined;
}

function cpuOf(r: ResourceSpec): Resources['cpu'] {
  const cpu: NonNullable<Resources['cpu']> = {};
  if (r.cpuShares) cpu.shares = r.cpuShares;
  if (r.nanoCpus) {
    cpu.period = CPU_PERIOD;
    cpu.quota = Math.round((r.nanoCpus * CPU_PERIOD) / 1e9);
  }
  if (r.cpuQuota) cpu.quota = r.cpuQuota;
  if (r.cpuPeriod) cpu.period = r.cpuPeriod;
  if (r.cpusetCpus) cpu.cpus = r.cpusetCpus;
  if (r.cpusetMems) cpu.mems = r.cpusetMems;
  if (r.cpuRealtimePeriod) cpu.realtimePeriod = r.cpuRealtimePeriod;
  if (r.cpuRealtimeRuntime) cpu.realtimeRuntime = r.cpuRealtimeRuntime;
  return Object.keys(cpu).length ? cpu : undefined;
}

/**
 * Memory, CPU, pids and block I/O weight of the container's cgroup, and the OOM score of its process. Invalid combinations are refused when the
 * step is built, so a create fails before anything is made. A pids limit of 0 or less is unlimited.
 */
export function resourcesStep(r: ResourceSpec): SpecStep {
  validate(r);
  const patch: Partial<Resources> = {};
  const memory = memoryOf(r);
  const cpu = cpuOf(r);
  if (memory) patch.memory = memory;
  if (cpu) patch.cpu = cpu;
  if (r.pidsLimit !== undefined && r.pidsLimit > 0) patch.pids = { limit: r.pidsLimit };
  // Per-device weights and throttles need the devices' numbers: the runtime adds them at start.
  if (r.blkioWeight) patch.blockIO = { weight: r.blkioWeight };
  const adj = r.oomScoreAdj;
  return (spec) => {
    const next = withResources(spec, structuredClone(patch));
    return adj === undefined ? next : withProcess(next, { oomScoreAdj: adj });
  };
}
