import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What the host's cgroups can enforce, read from /sys/fs/cgroup as Docker's sysinfo reads it. A
 * setting the host cannot enforce is discarded with Docker's warning rather than failing at start.
 */
export interface CgroupSupport {
  blkioWeight: boolean;
  blkioWeightDevice: boolean;
  blkioReadBps: boolean;
  blkioWriteBps: boolean;
  blkioReadIOps: boolean;
  blkioWriteIOps: boolean;
  memorySwappiness: boolean;
  oomKillDisable: boolean;
  cpuset: boolean;
  /** Memory nodes a container may use (`0`, `0-1`); '' when unknown. */
  mems: string;
  cpuRealtime: boolean;
  /** Real-time microseconds per period granted to Polis's cgroup parent (0: none, so none to hand out). */
  realtimeRuntimeForContainers: number;
}

/** Everything enforceable: for tests and for hosts Polis cannot probe. */
export const FULL_SUPPORT: CgroupSupport = {
  blkioWeight: true,
  blkioWeightDevice: true,
  blkioReadBps: true,
  blkioWriteBps: true,
  blkioReadIOps: true,
  blkioWriteIOps: true,
  memorySwappiness: true,
  oomKillDisable: true,
  cpuset: true,
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

/** Probes a cgroup v1 (or hybrid) or v2 hierarchy mounted at `root`; `parent` is Polis's cgroup parent. */
export function probeCgroupSupport(root = '/sys/fs/cgroup', parent = '/polis'): CgroupSupport {
  if (existsSync(join(root, 'cgroup.controllers'))) {
    const controllers = new Set(read(join(root, 'cgroup.controllers')).split(/\s+/));
    const io = controllers.has('io');
    return {
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
      mems: read(join(root, 'cpuset.mems.effective')),
      cpuRealtime: false,
      realtimeRuntimeForContainers: 0,
    };
  }
  const has = (controller: string, ...files: string[]): boolean =>
    files.some((f) => existsSync(join(root, controller, f)));
  const rtParent = Number.parseInt(read(join(root, 'cpu', parent, 'cpu.rt_runtime_us')), 10);
  return {
    blkioWeight: has('blkio', 'blkio.weight', 'blkio.bfq.weight'),
    blkioWeightDevice: has('blkio', 'blkio.weight_device', 'blkio.bfq.weight_device'),
    blkioReadBps: has('blkio', 'blkio.throttle.read_bps_device'),
    blkioWriteBps: has('blkio', 'blkio.throttle.write_bps_device'),
    blkioReadIOps: has('blkio', 'blkio.throttle.read_iops_device'),
    blkioWriteIOps: has('blkio', 'blkio.throttle.write_iops_device'),
    memorySwappiness: has('memory', 'memory.swappiness'),
    oomKillDisable: has('memory', 'memory.oom_control'),
    cpuset: has('cpuset', 'cpuset.mems'),
    mems: read(join(root, 'cpuset', 'cpuset.mems')),
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
