import { constants, existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PolisError, errnoCode, type Resources } from '@polis/core';
import { controllerDir, type CgroupDirs } from './cgroup-paths.js';

/** One file write; `alt` is tried when the first name does not exist (blkio.weight vs blkio.bfq.weight). */
interface Write {
  dir: string;
  file: string;
  value: string;
  alt?: string;
  /** Lifting a limit: a host without the file (no swap accounting) has none to lift. */
  optional?: boolean;
}

/** OCI shares (2–262144) to cgroup v2's cpu.weight (1–10000), as crun and runc convert them. */
export function sharesToWeight(shares: number): number {
  return shares === 0 ? 0 : Math.floor(1 + ((shares - 2) * 9999) / 262142);
}

/** Docker's blkio weight (10–1000) to v2's io.weight (1–10000), as crun converts it. */
export function blkioToIoWeight(weight: number): number {
  return Math.floor(1 + ((weight - 10) * 9999) / 990);
}

const max = (n: number | undefined): string => (n === undefined || n < 0 ? 'max' : String(n));

function memoryWrites(dirs: CgroupDirs, m: NonNullable<Resources['memory']>): Write[][] {
  const at = controllerDir(dirs, 'memory');
  if (!at) return [];
  const { dir, v2 } = at;
  if (v2) {
    const out: Write[] = [];
    if (m.limit !== undefined) out.push({ dir, file: 'memory.max', value: max(m.limit) });
    if (m.reservation !== undefined) out.push({ dir, file: 'memory.low', value: String(m.reservation) });
    // OCI's swap is memory+swap; v2's memory.swap.max is the swap alone.
    if (m.swap !== undefined) {
      const swap = m.swap < 0 || m.limit === undefined || m.limit < 0 ? 'max' : String(m.swap - m.limit);
      out.push({ dir, file: 'memory.swap.max', value: swap, optional: swap === 'max' });
    }
    return [out];
  }
  const limit: Write[] = [];
  if (m.limit !== undefined) limit.push({ dir, file: 'memory.limit_in_bytes', value: String(m.limit) });
  if (m.swap !== undefined)
    limit.push({ dir, file: 'memory.memsw.limit_in_bytes', value: String(m.swap), optional: m.swap < 0 });
  const rest: Write[] = [];
  if (m.reservation !== undefined)
    rest.push({ dir, file: 'memory.soft_limit_in_bytes', value: String(m.reservation) });
  if (m.swappiness !== undefined) rest.push({ dir, file: 'memory.swappiness', value: String(m.swappiness) });
  if (m.disableOOMKiller !== undefined)
    rest.push({ dir, file: 'memory.oom_control', value: m.disableOOMKiller ? '1' : '0' });
  return [limit, rest];
}

function cpuWrites(dirs: CgroupDirs, c: NonNullable<Resources['cpu']>): Write[] {
  const out: Write[] = [];
  const cpu = controllerDir(dirs, 'cpu');
  if (cpu?.v2) {
    if (c.shares !== undefined)
      out.push({ dir: cpu.dir, file: 'cpu.weight', value: String(sharesToWeight(c.shares)) });
    if (c.quota !== undefined || c.period !== undefined) {
      out.push({ dir: cpu.dir, file: 'cpu.max', value: `${max(c.quota)} ${c.period ?? 100_000}` });
    }
  } else if (cpu) {
    if (c.shares !== undefined) out.push({ dir: cpu.dir, file: 'cpu.shares', value: String(c.shares) });
    if (c.period !== undefined)
      out.push({ dir: cpu.dir, file: 'cpu.cfs_period_us', value: String(c.period) });
    if (c.quota !== undefined) out.push({ dir: cpu.dir, file: 'cpu.cfs_quota_us', value: String(c.quota) });
    if (c.realtimePeriod !== undefined)
      out.push({ dir: cpu.dir, file: 'cpu.rt_period_us', value: String(c.realtimePeriod) });
    if (c.realtimeRuntime !== undefined)
      out.push({ dir: cpu.dir, file: 'cpu.rt_runtime_us', value: String(c.realtimeRuntime) });
  }
  const cpuset = controllerDir(dirs, 'cpuset');
  if (cpuset) {
    if (c.cpus !== undefined) out.push({ dir: cpuset.dir, file: 'cpuset.cpus', value: c.cpus });
    if (c.mems !== undefined) out.push({ dir: cpuset.dir, file: 'cpuset.mems', value: c.mems });
  }
  return out;
}

function blockWrites(dirs: CgroupDirs, b: NonNullable<Resources['blockIO']>): Write[] {
  const at = controllerDir(dirs, dirs.v1.blkio ? 'blkio' : 'io');
  if (!at) return [];
  const { dir, v2 } = at;
  const out: Write[] = [];
  if (v2) {
    if (b.weight !== undefined)
      out.push({
        dir,
        file: 'io.weight',
        value: `default ${blkioToIoWeight(b.weight)}`,
        alt: 'io.bfq.weight',
      });
    const lines = new Map<string, string[]>();
    const add = (list: { major: number; minor: number; rate: number }[] | undefined, key: string): void => {
      for (const d of list ?? []) {
        const dev = `${d.major}:${d.minor}`;
        lines.set(dev, [...(lines.get(dev) ?? []), `${key}=${d.rate}`]);
      }
    };
    add(b.throttleReadBpsDevice, 'rbps');
    add(b.throttleWriteBpsDevice, 'wbps');
    add(b.throttleReadIOPSDevice, 'riops');
    add(b.throttleWriteIOPSDevice, 'wiops');
    for (const [dev, keys] of lines) out.push({ dir, file: 'io.max', value: `${dev} ${keys.join(' ')}` });
    return out;
  }
  if (b.weight !== undefined)
    out.push({ dir, file: 'blkio.weight', value: String(b.weight), alt: 'blkio.bfq.weight' });
  const throttle = (
    list: { major: number; minor: number; rate: number }[] | undefined,
    file: string,
  ): void => {
    for (const d of list ?? []) out.push({ dir, file, value: `${d.major}:${d.minor} ${d.rate}` });
  };
  throttle(b.throttleReadBpsDevice, 'blkio.throttle.read_bps_device');
  throttle(b.throttleWriteBpsDevice, 'blkio.throttle.write_bps_device');
  throttle(b.throttleReadIOPSDevice, 'blkio.throttle.read_iops_device');
  throttle(b.throttleWriteIOPSDevice, 'blkio.throttle.write_iops_device');
  return out;
}

async function write(w: Write): Promise<void> {
  try {
    // Never O_CREAT: a file the kernel does not offer is a setting it cannot enforce.
    await writeFile(join(w.dir, w.file), w.value, { flag: constants.O_WRONLY | constants.O_TRUNC });
  } catch (err) {
    if (w.alt && errnoCode(err) === 'ENOENT') return write({ dir: w.dir, file: w.alt, value: w.value });
    if (w.optional && errnoCode(err) === 'ENOENT') return;
    throw new PolisError(
      'runtime.failed',
      `cannot write ${w.value} to ${join(w.dir, w.file)}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}

/**
 * v1: the kernel refuses a memory limit above memory+swap, and memory+swap below the memory limit,
 * so the order depends on whether the limits rise or fall: memsw first when it stays at or above
 * the current limit, else the limit first.
 */
async function writeV1Limits(limits: Write[]): Promise<void> {
  const memsw = limits.find((w) => w.file === 'memory.memsw.limit_in_bytes');
  const limit = limits.find((w) => w.file === 'memory.limit_in_bytes');
  if (!memsw || !limit) {
    for (const w of limits) await write(w);
    return;
  }
  if (memsw.optional && !existsSync(join(memsw.dir, memsw.file))) return write(limit);
  const current = Number(await readFile(join(limit.dir, limit.file), 'utf8').catch(() => '0'));
  const raising = Number(memsw.value) < 0 || Number(memsw.value) >= current;
  for (const w of raising ? [memsw, limit] : [limit, memsw]) await write(w);
}

/**
 * Writes OCI `linux.resources` straight into a running container's cgroup files (`update`), v1 or
 * v2 by where each controller is mounted. Settings left out of `r` are left as they are.
 */
export async function writeResources(dirs: CgroupDirs, r: Resources): Promise<void> {
  if (r.memory) {
    const [limits = [], rest = []] = memoryWrites(dirs, r.memory);
    if (controllerDir(dirs, 'memory')?.v2) for (const w of limits) await write(w);
    else await writeV1Limits(limits);
    for (const w of rest) await write(w);
  }
  for (const w of r.cpu ? cpuWrites(dirs, r.cpu) : []) await write(w);
  if (r.pids) {
    const at = controllerDir(dirs, 'pids');
    if (at)
      await write({ dir: at.dir, file: 'pids.max', value: max(r.pids.limit > 0 ? r.pids.limit : undefined) });
  }
  for (const w of r.blockIO ? blockWrites(dirs, r.blockIO) : []) await write(w);
}
