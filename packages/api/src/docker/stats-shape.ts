import { totalmem } from 'node:os';
import type { BlkioEntry, CpuCounters, StatsSample } from '@polis/monitor';

/** Go's zero time, which Docker sends as `read`/`preread` when there is no reading. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

function time(ms: number | undefined): string {
  if (ms === undefined) return ZERO_TIME;
  const whole = new Date(Math.floor(ms)).toISOString().slice(0, 19);
  const nanos = Math.round((ms - Math.floor(ms / 1000) * 1000) * 1e6);
  return `${whole}.${String(nanos).padStart(9, '0')}Z`;
}

function cpuStats(cpu: CpuCounters | undefined, sample: StatsSample | undefined): Record<string, unknown> {
  return {
    cpu_usage: {
      total_usage: cpu?.totalNs ?? 0,
      ...(cpu && cpu.perCpuNs.length > 0 ? { percpu_usage: cpu.perCpuNs } : {}),
      usage_in_kernelmode: cpu?.systemNs ?? 0,
      usage_in_usermode: cpu?.userNs ?? 0,
    },
    ...(sample ? { system_cpu_usage: sample.systemCpuNs, online_cpus: sample.onlineCpus } : {}),
    throttling_data: {
      periods: cpu?.throttling.periods ?? 0,
      throttled_periods: cpu?.throttling.throttledPeriods ?? 0,
      throttled_time: cpu?.throttling.throttledTimeNs ?? 0,
    },
  };
}

const blkio = (entries: BlkioEntry[] | undefined): BlkioEntry[] | null =>
  entries === undefined || entries.length === 0 ? null : entries;

/**
 * Docker's `StatsJSON` (API 1.41) from a reading and the one before it. A container with no reading
 * (not running) gets Docker's empty object: zero times and counters. An unlimited memory limit is the
 * host's memory, as dockerd reports it.
 */
export function dockerStats(
  container: { id: string; name: string },
  sample: StatsSample | undefined,
  previous: StatsSample | undefined,
  machineMemory = totalmem(),
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    read: time(sample?.readAt),
    preread: time(previous?.readAt),
    pids_stats: sample
      ? { current: sample.pids.current, ...(sample.pids.limit ? { limit: sample.pids.limit } : {}) }
      : {},
    blkio_stats: {
      io_service_bytes_recursive: blkio(sample?.blkio.serviceBytes),
      io_serviced_recursive: blkio(sample?.blkio.serviced),
      io_queue_recursive: null,
      io_service_time_recursive: null,
      io_wait_time_recursive: null,
      io_merged_recursive: null,
      io_time_recursive: null,
      sectors_recursive: null,
    },
    num_procs: 0,
    storage_stats: {},
    cpu_stats: cpuStats(sample?.cpu, sample),
    precpu_stats: cpuStats(previous?.cpu, previous),
    memory_stats: {},
    name: `/${container.name}`,
    id: container.id,
  };
  if (sample) {
    const m = sample.memory;
    const limit = m.limit === undefined || m.limit > machineMemory ? machineMemory : m.limit;
    out.memory_stats = {
      usage: m.usage,
      ...(m.maxUsage === undefined ? {} : { max_usage: m.maxUsage }),
      stats: m.stats,
      ...(m.failcnt === undefined ? {} : { failcnt: m.failcnt }),
      limit,
    };
    const names = Object.keys(sample.networks);
    if (names.length > 0) {
      out.networks = Object.fromEntries(
        names.map((name) => {
          const n = sample.networks[name]!;
          return [
            name,
            {
              rx_bytes: n.rxBytes,
              rx_packets: n.rxPackets,
              rx_errors: n.rxErrors,
              rx_dropped: n.rxDropped,
              tx_bytes: n.txBytes,
              tx_packets: n.txPackets,
              tx_errors: n.txErrors,
              tx_dropped: n.txDropped,
            },
          ];
        }),
      );
    }
  }
  return out;
}
