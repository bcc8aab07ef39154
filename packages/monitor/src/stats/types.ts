/** One reading of a container's counters, in the kernel's own units turned into Docker's (ns, bytes). */
export interface CpuCounters {
  /** Total CPU time of the container, ns. */
  totalNs: number;
  /** Per CPU, ns (v1 only; v2 has no per-CPU accounting, as Docker reports). */
  perCpuNs: number[];
  userNs: number;
  systemNs: number;
  throttling: { periods: number; throttledPeriods: number; throttledTimeNs: number };
}

export interface MemoryCounters {
  usage: number;
  maxUsage?: number;
  failcnt?: number;
  /** The limit in force; undefined when unlimited. */
  limit?: number;
  /** memory.stat as it is (v1 with its `total_*` keys, v2 its own keys). */
  stats: Record<string, number>;
}

export interface BlkioEntry {
  major: number;
  minor: number;
  op: string;
  value: number;
}

export interface NetCounters {
  rxBytes: number;
  rxPackets: number;
  rxErrors: number;
  rxDropped: number;
  txBytes: number;
  txPackets: number;
  txErrors: number;
  txDropped: number;
}

export interface StatsSample {
  /** When it was read (ms since the epoch, with a fraction). */
  readAt: number;
  cgroupVersion: 1 | 2;
  cpu: CpuCounters;
  /** The host's CPU time since boot, ns (Docker's `system_cpu_usage`). */
  systemCpuNs: number;
  onlineCpus: number;
  memory: MemoryCounters;
  blkio: { serviceBytes: BlkioEntry[]; serviced: BlkioEntry[] };
  pids: { current: number; limit?: number };
  networks: Record<string, NetCounters>;
}
