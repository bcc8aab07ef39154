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
 * Reads the counters of the container whose first process is PID, or undefined when it is gone. Only
 * files are read: no process is spawned per sample.
 */
export function readSample(pid: number, options: SampleOptions = {}): StatsSample | undefined {
  const roots = options.roots ?? DEFAULT_ROOTS;
  const r = options.reader ?? plainReader;
  const cgroupText = r.text(join(roots.procRoot, String(pid), 'cgroup'));
  if (cgroupText === undefined) return undefined;
  const paths = parseProcCgroup(cgroupText);
  const mounts = mountsOf(roots.cgroupRoot);
  const memoryMount = mounts.get('memory');
  const memoryPath = paths.v1.get('memory');
  const host = options.host ?? readHostCpu(r, roots.procRoot);
  const networks = parseNetDev(r.text(join(roots.procRoot, String(pid), 'net', 'dev')) ?? '');
  const readAt = performance.timeOrigin + performance.now();
  if (memoryMount !== undefined && memoryPath !== undefined) {
    const at = (controller: string): string | undefined => {
      const mount = mounts.get(controller);
      const path = paths.v1.get(controller);
      return mount === undefined || path === undefined ? undefined : join(mount, path);
    };
    const cpuacct = at('cpuacct') ?? join(mounts.get('cpuacct') ?? roots.cgroupRoot, 'none');
    const blkio = at('blkio');
    const pidsDir = at('pids');
    const limit = pidsDir === undefined ? undefined : readNumber(r, join(pidsDir, 'pids.max'));
    return {
      readAt,
      cgroupVersion: 1,
      cpu: readCpuV1(r, cpuacct, at('cpu')),
      ...host,
      memory: readMemoryV1(r, join(memoryMount, memoryPath)),
      blkio: blkio === undefined ? { serviceBytes: [], serviced: [] } : readBlkioV1(r, blkio),
      pids: {
        current: pidsDir === undefined ? 0 : (readNumber(r, join(pidsDir, 'pids.current')) ?? 0),
        ...(limit === undefined ? {} : { limit }),
      },
      networks,
    };
  }
  const unifiedRoot = existsSync(join(roots.cgroupRoot, 'cgroup.controllers'))
    ? roots.cgroupRoot
    : join(roots.cgroupRoot, 'unified');
  const dir = join(unifiedRoot, paths.unified ?? '/');
  const limit = readNumber(r, join(dir, 'pids.max'));
  return {
    readAt,
    cgroupVersion: 2,
    cpu: readCpuV2(r, dir),
    ...host,
    memory: readMemoryV2(r, dir),
    blkio: readIoV2(r, dir),
    pids: {
      current: readNumber(r, join(dir, 'pids.current')) ?? 0,
      ...(limit === undefined ? {} : { limit }),
    },
    networks,
  };
}
