import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What the host's cgroups can enforce, read from /sys/fs/cgroup as Docker's sysinfo reads it. A
 * setting the host cannot enforce is discarded with Docker's warning rather than failing at start.
 */
export interface CgroupSupport {
  memoryLimit: boolean;
  /** memory.memsw.* (v1) or memory.swap.max (v2): without it `--memory-swap` cannot be enforced. */
  swapLimit: boolean;
  memoryReservation: boolean;
  cpuShares: boolean;
  /** The CFS bandwidth controls (period and quota, so also `--cpus`). */
  cpuCfs: boolean;
  pidsLimit: boolean;
  blkioWeight: boolean;
  blkioWeightDevice: boolean;
  blkioReadBps: boolean;
  blkioWriteBps: boolean;
  blkioReadIOps: boolean;
  blkioWriteIOps: boolean;
  memorySwappiness: boolean;
  oomKillDisable: boolean;
  cpuset: boolean;
  /** CPUs a container may use (`0-1`); '' when unknown. */
  cpus: string;
  /** Memory nodes a container may use (`0`, `0-1`); '' when unknown. */
  mems: string;
  cpuRealtime: boolean;
  /** Real-time microseconds per period granted to Polis's cgroup parent (0: none, so none to hand out). */
  realtimeRuntimeForContainers: number;
}

/** Everything enforceable: for tests and for hosts Polis cannot probe. */
export const FULL_SUPPORT: CgroupSupport = {
  memoryLimit: true,
  swapLimit: true,
  memoryReservation: true,
  cpuShares: true,
  cpuCfs: true,
  pidsLimit: true,
  blkioWeight: true,
  blkioWeightDevice: true,
  blkioReadBps: true,
  blkioWriteBps: true,
  blkioReadIOps: true,
  blkioWriteIOps: true,
  memorySwappiness: true,
  oomKillDisable: true,
  cpuset: true,
  cpus: '0-1',
  mems: '0',
  cpuRealtime: true,
  realtimeRuntimeForContainers: 950_000,
};

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

/** v2 has no memory.swap.max at the root: look at a child, as the kernel adds it to every one when it accounts swap. */
function swapAccounted(root: string): boolean {
  for (const child of ['init.scope', 'system.slice', 'polis']) {
    if (existsSync(join(root, child, 'memory.max'))) return existsSync(join(root, child, 'memory.swap.max'));
  }
  return true;
}

/** cgroup v2: what the root delegates (its `cgroup.controllers`), as Docker's sysinfo reads it. */
function probeV2(root: string): CgroupSupport {
  const controllers = new Set(read(join(root, 'cgroup.controllers')).split(/\s+/));
  const io = controllers.has('io');
  const memory = controllers.has('memory');
  const cpu = controllers.has('cpu');
  return {
    memoryLimit: memory,
    // The root has no memory.swap.max; a kernel without swap accounting has it nowhere (init.scope is always there).
    swapLimit: memory && swapAccounted(root),
    memoryReservation: memory,
    cpuShares: cpu,
    cpuCfs: cpu,
    pidsLimit: controllers.has('pids'),
    blkioWeight: io,
    blkioWeightDevice: io,
    blkioReadBps: io,
    blkioWriteBps: io,
    blkioReadIOps: io,
    blkioWriteIOps: io,
    // cgroup v2 has neither (Docker's sysinfo says the same).
    memorySwappiness: false,
    oomKillDisable: false,
    cpuset: controllers.has('cpuset'),
    cpus: read(join(root, 'cpuset.cpus.effective')),
    mems: read(join(root, 'cpuset.mems.effective')),
    cpuRealtime: false,
    realtimeRuntimeForContainers: 0,
  };
}

/** Probes a cgroup v1 (or hybrid) or v2 hierarchy mounted at `root`; `parent` is Polis's cgroup parent. */
export function probeCgroupSupport(root = '/sys/fs/cgroup', parent = '/polis'): CgroupSupport {
  if (existsSync(join(root, 'cgroup.controllers'))) return probeV2(root);
  const has = (controller: string, ...files: string[]): boolean =>
    files.some((f) => existsSync(join(root, controller, f)));
  const rtParent = Number.parseInt(read(join(root, 'cpu', parent, 'cpu.rt_runtime_us')), 10);
  return {
    memoryLimit: has('memory', 'memory.limit_in_bytes'),
    swapLimit: has('memory', 'memory.memsw.limit_in_bytes'),
    memoryReservation: has('memory', 'memory.soft_limit_in_bytes'),
    cpuShares: has('cpu', 'cpu.shares'),
    cpuCfs: has('cpu', 'cpu.cfs_quota_us') && has('cpu', 'cpu.cfs_period_us'),
    pidsLimit: existsSync(join(root, 'pids', 'cgroup.procs')),
    blkioWeight: has('blkio', 'blkio.weight', 'blkio.bfq.weight'),
    blkioWeightDevice: has('blkio', 'blkio.weight_device', 'blkio.bfq.weight_device'),
    blkioReadBps: has('blkio', 'blkio.throttle.read_bps_device'),
    blkioWriteBps: has('blkio', 'blkio.throttle.write_bps_device'),
    blkioReadIOps: has('blkio', 'blkio.throttle.read_iops_device'),
    blkioWriteIOps: has('blkio', 'blkio.throttle.write_iops_device'),
    memorySwappiness: has('memory', 'memory.swappiness'),
    oomKillDisable: has('memory', 'memory.oom_control'),
    cpuset: has('cpuset', 'cpuset.mems'),
    cpus: read(join(root, 'cpuset', 'cpuset.cpus')),
    mems: read(join(root, 'cpuset', 'cpuset.mems')),
    // Docker's sysinfo: the real-time scheduler is there when cpu.rt_runtime_us is (CONFIG_RT_GROUP_SCHED).
    cpuRealtime: has('cpu', 'cpu.rt_runtime_us'),
    // The parent is made on the first start with no real-time share of its own.
    realtimeRuntimeForContainers: Number.isNaN(rtParent) ? 0 : rtParent,
  };
}

let cached: CgroupSupport | undefined;

/** The host's support, probed once per daemon (cgroup mounts do not change under a running daemon). */
export function hostCgroupSupport(): CgroupSupport {
  cached ??= probeCgroupSupport();
  return cached;
}
