import { readKeyValues, readNumber, type FileReader } from './files.js';
import type { BlkioEntry, CpuCounters, MemoryCounters } from './types.js';

export function readCpuV2(r: FileReader, dir: string): CpuCounters {
  const stat = readKeyValues(r, `${dir}/cpu.stat`);
  return {
    totalNs: (stat.usage_usec ?? 0) * 1000,
    perCpuNs: [],
    userNs: (stat.user_usec ?? 0) * 1000,
    systemNs: (stat.system_usec ?? 0) * 1000,
    throttling: {
      periods: stat.nr_periods ?? 0,
      throttledPeriods: stat.nr_throttled ?? 0,
      throttledTimeNs: (stat.throttled_usec ?? 0) * 1000,
    },
  };
}

export function readMemoryV2(r: FileReader, dir: string): MemoryCounters {
  const out: MemoryCounters = {
    usage: readNumber(r, `${dir}/memory.current`) ?? 0,
    stats: readKeyValues(r, `${dir}/memory.stat`),
  };
  const limit = readNumber(r, `${dir}/memory.max`);
  const peak = readNumber(r, `${dir}/memory.peak`);
  if (limit !== undefined) out.limit = limit;
  if (peak !== undefined) out.maxUsage = peak;
  return out;
}

/** io.stat: `MAJ:MIN rbytes=… wbytes=… rios=… wios=… dbytes=… dios=…`, as Docker maps it to v1's shape. */
export function parseIoStat(text: string): { serviceBytes: BlkioEntry[]; serviced: BlkioEntry[] } {
  const serviceBytes: BlkioEntry[] = [];
  const serviced: BlkioEntry[] = [];
  for (const line of text.split('\n')) {
    const [dev, ...pairs] = line.trim().split(/\s+/);
    const [major, minor] = (dev ?? '').split(':').map(Number);
    if (major === undefined || minor === undefined || Number.isNaN(major) || Number.isNaN(minor)) continue;
    const kv = new Map(pairs.map((p) => p.split('=') as [string, string]));
    const num = (k: string): number => Number(kv.get(k) ?? 0);
    serviceBytes.push({ major, minor, op: 'read', value: num('rbytes') });
    serviceBytes.push({ major, minor, op: 'write', value: num('wbytes') });
    serviced.push({ major, minor, op: 'read', value: num('rios') });
    serviced.push({ major, minor, op: 'write', value: num('wios') });
  }
  return { serviceBytes, serviced };
}

export function readIoV2(r: FileReader, dir: string): { serviceBytes: BlkioEntry[]; serviced: BlkioEntry[] } {
  return parseIoStat(r.text(`${dir}/io.stat`) ?? '');
}
