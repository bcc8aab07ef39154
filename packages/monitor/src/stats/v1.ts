import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readKeyValues, readNumber, type FileReader } from './files.js';
import type { BlkioEntry, CpuCounters, MemoryCounters } from './types.js';

/** USER_HZ: cpuacct.stat counts in clock ticks, 100 per second on Linux. */
const TICK_NS = 1e7;
/** v1 writes "no limit" as PAGE_COUNTER_MAX pages (9223372036854771712 on x86_64). */
const UNLIMITED = 2 ** 62;

/** The v1 hierarchies under ROOT, by controller (`cpu,cpuacct` mounted together serves both). */
export function v1Mounts(root = '/sys/fs/cgroup'): Map<string, string> {
  const out = new Map<string, string>();
  let entries: string[] = [];
  try {
    entries = readdirSync(root);
  } catch {
    return out;
  }
  for (const name of entries) {
    for (const c of name.split(',')) if (!out.has(c)) out.set(c, join(root, name));
  }
  return out;
}

export function readCpuV1(r: FileReader, dir: string, cpuDir: string | undefined): CpuCounters {
  const stat = readKeyValues(r, `${dir}/cpuacct.stat`);
  const throttle = cpuDir === undefined ? {} : readKeyValues(r, `${cpuDir}/cpu.stat`);
  const perCpu = (r.text(`${dir}/cpuacct.usage_percpu`) ?? '')
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);
  return {
    totalNs: readNumber(r, `${dir}/cpuacct.usage`) ?? 0,
    perCpuNs: perCpu,
    userNs: (stat.user ?? 0) * TICK_NS,
    systemNs: (stat.system ?? 0) * TICK_NS,
    throttling: {
      periods: throttle.nr_periods ?? 0,
      throttledPeriods: throttle.nr_throttled ?? 0,
      throttledTimeNs: throttle.throttled_time ?? 0,
    },
  };
}

export function readMemoryV1(r: FileReader, dir: string): MemoryCounters {
  const limit = readNumber(r, `${dir}/memory.limit_in_bytes`);
  const out: MemoryCounters = {
    usage: readNumber(r, `${dir}/memory.usage_in_bytes`) ?? 0,
    stats: readKeyValues(r, `${dir}/memory.stat`),
  };
  const maxUsage = readNumber(r, `${dir}/memory.max_usage_in_bytes`);
  const failcnt = readNumber(r, `${dir}/memory.failcnt`);
  if (maxUsage !== undefined) out.maxUsage = maxUsage;
  if (failcnt !== undefined) out.failcnt = failcnt;
  if (limit !== undefined && limit < UNLIMITED) out.limit = limit;
  return out;
}

/** `MAJ:MIN Op value` lines; the closing `Total N` line is not a device's. */
export function parseBlkioV1(text: string): BlkioEntry[] {
  const out: BlkioEntry[] = [];
  for (const line of text.split('\n')) {
    const [dev, op, value] = line.trim().split(/\s+/);
    if (dev === undefined || op === undefined || value === undefined) continue;
    const [major, minor] = dev.split(':').map(Number);
    if (major === undefined || minor === undefined || Number.isNaN(major) || Number.isNaN(minor)) continue;
    out.push({ major, minor, op, value: Number(value) });
  }
  return out;
}

export function readBlkioV1(
  r: FileReader,
  dir: string,
): { serviceBytes: BlkioEntry[]; serviced: BlkioEntry[] } {
  return {
    serviceBytes: parseBlkioV1(r.text(`${dir}/blkio.throttle.io_service_bytes_recursive`) ?? ''),
    serviced: parseBlkioV1(r.text(`${dir}/blkio.throttle.io_serviced_recursive`) ?? ''),
  };
}
