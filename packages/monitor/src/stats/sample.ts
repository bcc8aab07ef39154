import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseProcCgroup } from './cgroup-paths.js';
import { plainReader, readNumber, type FileReader } from './files.js';
import { parseNetDev, readHostCpu, type HostCpu } from './host.js';
import { readBlkioV1, readCpuV1, readMemoryV1, v1Mounts } from './v1.js';
import { readCpuV2, readIoV2, readMemoryV2 } from './v2.js';
import type { StatsSample } from './types.js';

export interface SampleRoots {
  /** Where the cgroup file systems are mounted (a generated tree in unit tests). */
  cgroupRoot: string;
  /** Where /proc is. */
  procRoot: string;
}

const DEFAULT_ROOTS: SampleRoots = { cgroupRoot: '/sys/fs/cgroup', procRoot: '/proc' };

/** v1 hierarchies, found once per root: mounts do not move while polisd runs. */
const mountsByRoot = new Map<string, Map<string, string>>();

function mountsOf(root: string): Map<string, string> {
  let m = mountsByRoot.get(root);
  if (m === undefined) {
    m = v1Mounts(root);
    mountsByRoot.set(root, m);
  }
  return m;
}

export interface SampleOptions {
  roots?: SampleRoots;
  /** How files are read: kept open by the sampler, opened each time otherwise. */
  reader?: FileReader;
  /** The host's CPU time, read once per interval for every container. */
  host?: HostCpu;
}

/**
 * Where one container's files are, worked out once from /proc/PID/cgroup: a process's cgroups do not
 * change while it lives, so the sampler keeps the plan as long as the pid stays the same and only reads
 * the counters each interval (no cgroup file parsed, no path joined).
 */
export interface SamplePlan {
  pid: number;
  netDev: string;
  v1?: { cpuacct: string; cpu: string | undefined; memory: string; blkio?: string; pids?: string };
  v2?: string;
}

/** The plan for PID, or undefined when the process is gone. */
export function planSample(pid: number, options: SampleOptions = {}): SamplePlan | undefined {
  const roots = options.roots ?? DEFAULT_ROOTS;
  const r = options.reader ?? plainReader;
  const cgroupText = r.text(join(roots.procRoot, String(pid), 'cgroup'));
  if (cgroupText === undefined) return undefined;
  const paths = parseProcCgroup(cgroupText);
  const mounts = mountsOf(roots.cgroupRoot);
  const netDev = join(roots.procRoot, String(pid), 'net', 'dev');
  const memoryMount = mounts.get('memory');
  const memoryPath = paths.v1.get('memory');
  if (memoryMount !== undefined && memoryPath !== undefined) {
    const at = (controller: string): string | undefined => {
      const mount = mounts.get(controller);
      const path = paths.v1.get(controller);
      return mount === undefined || path === undefined ? undefined : join(mount, path);
    };
    const blkio = at('blkio');
    const pidsDir = at('pids');
    return {
      pid,
      netDev,
      v1: {
        cpuacct: at('cpuacct') ?? join(mounts.get('cpuacct') ?? roots.cgroupRoot, 'none'),
        cpu: at('cpu'),
        memory: join(memoryMount, memoryPath),
        ...(blkio === undefined ? {} : { blkio }),
        ...(pidsDir === undefined ? {} : { pids: pidsDir }),
      },
    };
  }
  const unifiedRoot = existsSync(join(roots.cgroupRoot, 'cgroup.controllers'))
    ? roots.cgroupRoot
    : join(roots.cgroupRoot, 'unified');
  return { pid, netDev, v2: join(unifiedRoot, paths.unified ?? '/') };
}

/** One reading by a plan, or undefined when the process is gone (its net/dev cannot be read). */
export function readPlanned(
  plan: SamplePlan,
  r: FileReader,
  host: HostCpu | undefined,
  procRoot = DEFAULT_ROOTS.procRoot,
): StatsSample | undefined {
  const netText = r.text(plan.netDev);
  if (netText === undefined) return undefined;
  const networks = parseNetDev(netText);
  const hostCpu = host ?? readHostCpu(r, procRoot);
  const readAt = performance.timeOrigin + performance.now();
  if (plan.v1) {
    const { cpuacct, cpu, memory, blkio, pids } = plan.v1;
    const limit = pids === undefined ? undefined : readNumber(r, `${pids}/pids.max`);
    return {
      readAt,
      cgroupVersion: 1,
      cpu: readCpuV1(r, cpuacct, cpu),
      ...hostCpu,
      memory: readMemoryV1(r, memory),
      blkio: blkio === undefined ? { serviceBytes: [], serviced: [] } : readBlkioV1(r, blkio),
      pids: {
        current: pids === undefined ? 0 : (readNumber(r, `${pids}/pids.current`) ?? 0),
        ...(limit === undefined ? {} : { limit }),
      },
      networks,
    };
  }
  const dir = plan.v2 ?? '/';
  const limit = readNumber(r, `${dir}/pids.max`);
  return {
    readAt,
    cgroupVersion: 2,
    cpu: readCpuV2(r, dir),
    ...hostCpu,
    memory: readMemoryV2(r, dir),
    blkio: readIoV2(r, dir),
    pids: {
      current: readNumber(r, `${dir}/pids.current`) ?? 0,
      ...(limit === undefined ? {} : { limit }),
    },
    networks,
  };
}

/**
 * Reads the counters of the container whose first process is PID, or undefined when it is gone. Only
 * files are read: no process is spawned per sample.
 */
export function readSample(pid: number, options: SampleOptions = {}): StatsSample | undefined {
  const plan = planSample(pid, options);
  if (plan === undefined) return undefined;
  const roots = options.roots ?? DEFAULT_ROOTS;
  return readPlanned(plan, options.reader ?? plainReader, options.host, roots.procRoot);
}
