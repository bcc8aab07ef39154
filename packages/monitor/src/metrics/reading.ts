import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseProcCgroup } from '../stats/cgroup-paths.js';
import { readKeyValues, readNumber, type FileReader } from '../stats/files.js';
import { parseNetDev } from '../stats/host.js';
import type { SampleRoots } from '../stats/sample.js';
import { parseBlkioV1, v1Mounts } from '../stats/v1.js';
import { parseIoStat } from '../stats/v2.js';

/** What the scrape shows of a running container: the few counters its series need. */
export interface ContainerReading {
  cpuNs: number;
  memoryUsage: number;
  /** undefined when unlimited. */
  memoryLimit?: number;
  pids: number;
  rxBytes: number;
  txBytes: number;
  readBytes: number;
  writeBytes: number;
}

/** v1 writes "no limit" as PAGE_COUNTER_MAX pages. */
const V1_UNLIMITED = 2 ** 62;
const DEFAULT_ROOTS: SampleRoots = { cgroupRoot: '/sys/fs/cgroup', procRoot: '/proc' };
const mountsByRoot = new Map<string, Map<string, string>>();

function sumBlkio(entries: { op: string; value: number }[]): { readBytes: number; writeBytes: number } {
  let readBytes = 0;
  let writeBytes = 0;
  for (const e of entries) {
    const op = e.op.toLowerCase();
    if (op === 'read') readBytes += e.value;
    else if (op === 'write') writeBytes += e.value;
  }
  return { readBytes, writeBytes };
}

/**
 * Reads the container whose first process is PID: seven files (its cgroup list, net/dev, and one file
 * per counter), against about fifteen for a full stats sample, so a scrape of many containers stays
 * cheap. undefined when the process is gone.
 */
export function readContainer(
  pid: number,
  r: FileReader,
  roots = DEFAULT_ROOTS,
): ContainerReading | undefined {
  const cgroupText = r.text(join(roots.procRoot, String(pid), 'cgroup'));
  if (cgroupText === undefined) return undefined;
  const paths = parseProcCgroup(cgroupText);
  let net = { rxBytes: 0, txBytes: 0 };
  for (const n of Object.values(parseNetDev(r.text(join(roots.procRoot, String(pid), 'net', 'dev')) ?? ''))) {
    net = { rxBytes: net.rxBytes + n.rxBytes, txBytes: net.txBytes + n.txBytes };
  }
  let mounts = mountsByRoot.get(roots.cgroupRoot);
  if (mounts === undefined) {
    mounts = v1Mounts(roots.cgroupRoot);
    mountsByRoot.set(roots.cgroupRoot, mounts);
  }
  const at = (controller: string): string | undefined => {
    const mount = mounts.get(controller);
    const path = paths.v1.get(controller);
    return mount === undefined || path === undefined ? undefined : join(mount, path);
  };
  const memory = at('memory');
  if (memory !== undefined) {
    const cpuacct = at('cpuacct');
    const pids = at('pids');
    const blkio = at('blkio');
    const limit = readNumber(r, join(memory, 'memory.limit_in_bytes'));
    return {
      cpuNs: cpuacct === undefined ? 0 : (readNumber(r, join(cpuacct, 'cpuacct.usage')) ?? 0),
      memoryUsage: readNumber(r, join(memory, 'memory.usage_in_bytes')) ?? 0,
      ...(limit !== undefined && limit < V1_UNLIMITED ? { memoryLimit: limit } : {}),
      pids: pids === undefined ? 0 : (readNumber(r, join(pids, 'pids.current')) ?? 0),
      ...net,
      ...sumBlkio(
        blkio === undefined
          ? []
          : parseBlkioV1(r.text(join(blkio, 'blkio.throttle.io_service_bytes_recursive')) ?? ''),
      ),
    };
  }
  const unifiedRoot = existsSync(join(roots.cgroupRoot, 'cgroup.controllers'))
    ? roots.cgroupRoot
    : join(roots.cgroupRoot, 'unified');
  const dir = join(unifiedRoot, paths.unified ?? '/');
  const limit = readNumber(r, join(dir, 'memory.max'));
  return {
    cpuNs: (readKeyValues(r, join(dir, 'cpu.stat')).usage_usec ?? 0) * 1000,
    memoryUsage: readNumber(r, join(dir, 'memory.current')) ?? 0,
    ...(limit === undefined ? {} : { memoryLimit: limit }),
    pids: readNumber(r, join(dir, 'pids.current')) ?? 0,
    ...net,
    ...sumBlkio(parseIoStat(r.text(join(dir, 'io.stat')) ?? '').serviceBytes),
  };
}
