import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCgroupFile } from '../host/cgroup-paths.js';

/** The limits in force for a process, from its cgroup's files; null is "no limit", absent "no file". */
export interface CgroupLimits {
  version: 'v1' | 'v2';
  memoryLimit?: number | null;
  cpuQuota?: number | null;
  cpuPeriod?: number;
  pidsMax?: number | null;
}

async function read(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    return undefined;
  }
}

/** `max`, and v1's "unlimited" numbers (-1, or the page-rounded 2^63), are null. */
function limit(text: string | undefined): number | null | undefined {
  if (text === undefined) return undefined;
  if (text === 'max' || text === '-1') return null;
  const n = Number(text);
  return n >= 2 ** 62 ? null : n;
}

/**
 * Reads the limits from the cgroups of /proc/PID/cgroup (parsed by `parseCgroupFile`, as update writes
 * them) under `root`: the v1 memory, cpu and pids files when those hierarchies exist, else v2's.
 * Kept small on purpose: one place that reads limits back, for the security report and the monitor.
 */
export async function readCgroupLimits(
  pid: number,
  root = '/sys/fs/cgroup',
  procRoot = '/proc',
): Promise<CgroupLimits> {
  const dirs = parseCgroupFile((await read(join(procRoot, String(pid), 'cgroup'))) ?? '', root);
  const { memory: mem, cpu, pids } = dirs.v1;
  if (mem || cpu || pids) {
    const quota = cpu ? limit(await read(join(cpu, 'cpu.cfs_quota_us'))) : undefined;
    const period = cpu ? await read(join(cpu, 'cpu.cfs_period_us')) : undefined;
    return {
      version: 'v1',
      memoryLimit: mem ? limit(await read(join(mem, 'memory.limit_in_bytes'))) : undefined,
      cpuQuota: quota,
      ...(period !== undefined ? { cpuPeriod: Number(period) } : {}),
      pidsMax: pids ? limit(await read(join(pids, 'pids.max'))) : undefined,
    };
  }
  // A v2-only host mounts the unified tree at the root; a hybrid one under `unified/`.
  const dir = dirs.v2 ?? join(dirs.unified ? root : join(root, 'unified'), '/');
  const [quota, period] = ((await read(join(dir, 'cpu.max'))) ?? '').split(' ');
  return {
    version: 'v2',
    memoryLimit: limit(await read(join(dir, 'memory.max'))),
    cpuQuota: quota ? limit(quota) : undefined,
    ...(period ? { cpuPeriod: Number(period) } : {}),
    pidsMax: limit(await read(join(dir, 'pids.max'))),
  };
}
