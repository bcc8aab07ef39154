import type { StatsSample } from '../stats/types.js';

/** CPU % as docker's CLI computes it: the container's share of the host's CPU time, times the CPUs. */
export function cpuPercent(prev: StatsSample, cur: StatsSample): number {
  const cpu = cur.cpu.totalNs - prev.cpu.totalNs;
  const system = cur.systemCpuNs - prev.systemCpuNs;
  if (cpu <= 0 || system <= 0) return 0;
  return (cpu / system) * cur.onlineCpus * 100;
}

/** Memory % as docker's CLI: usage without the inactive page cache, of the limit (the host's memory when unlimited). */
export function memoryPercent(sample: StatsSample, hostMemory: number): number {
  const stats = sample.memory.stats;
  const cache = stats.total_inactive_file ?? stats.inactive_file ?? 0;
  const used = Math.max(0, sample.memory.usage - cache);
  const limit = sample.memory.limit ?? hostMemory;
  return limit > 0 ? (used / limit) * 100 : 0;
}
