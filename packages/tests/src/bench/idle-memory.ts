/**
 * Memory per idle running container: N `sleep 3600` containers started through the SDK, then the VmRSS of
 * every process Polis runs for them (conmon, and anything else whose command line names the daemon's
 * root), and the Node processes that belong to the daemon, counted before and after.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { TestDaemon } from '../harness/daemon.js';
import { runRmBody } from './sdk-run.js';
import { vmRssKiB } from './rss.js';

export interface IdleMemory {
  containers: number;
  /** Processes Polis runs for the containers (polisd excluded) and their summed VmRSS. */
  perContainerProcesses: number;
  totalKiB: number;
  perContainerKiB: number;
  /** Node processes of this daemon (polisd and anything naming its root, or below polisd). */
  nodeBefore: number;
  nodeAfter: number;
  polisdBeforeKiB: number;
  polisdAfterKiB: number;
}

interface ProcInfo {
  pid: number;
  ppid: number;
  node: boolean;
  cmdline: string;
}

/** Every process visible in /proc; ones that vanish while being read are left out. */
function processes(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ');
      const ppid = Number(/^PPid:\s+(\d+)$/m.exec(readFileSync(`/proc/${name}/status`, 'utf8'))?.[1] ?? 0);
      const node = basename(readlinkSync(`/proc/${name}/exe`)) === 'node';
      out.push({ pid: Number(name), ppid, node, cmdline });
    } catch {
      // gone meanwhile, or a kernel thread without an exe
    }
  }
  return out;
}

/** Pids of `root` and all its descendants. */
function subtree(all: readonly ProcInfo[], root: number): Set<number> {
  const pids = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of all)
      if (!pids.has(p.pid) && pids.has(p.ppid)) {
        pids.add(p.pid);
        grew = true;
      }
  }
  return pids;
}

/**
 * Node processes that belong to the daemon: its own, any below it, and any naming its root (a
 * daemonised helper). Matching every `polis` command line would count other sessions' daemons too.
 */
export function daemonNodeProcesses(daemon: TestDaemon): number {
  const all = processes();
  const below = subtree(all, daemon.child?.pid ?? -1);
  return all.filter((p) => p.node && (below.has(p.pid) || p.cmdline.includes(daemon.root))).length;
}

function conmonPid(daemon: TestDaemon, id: string): number {
  return Number(readFileSync(join(daemon.execRoot, 'containers', id, 'conmon.pid'), 'utf8').trim());
}

export async function measureIdleMemory(
  daemon: TestDaemon,
  image: string,
  count: number,
): Promise<IdleMemory> {
  const polisd = daemon.child?.pid ?? -1;
  const containers = daemon.client.containers;
  const nodeBefore = daemonNodeProcesses(daemon);
  const polisdBeforeKiB = vmRssKiB(polisd);
  const before = new Set(processes().map((p) => p.pid));
  const ids: string[] = [];
  try {
    const body = runRmBody(image, ['sleep', '3600']);
    for (let i = 0; i < count; i++) {
      const { Id } = await containers.create({
        ...body,
        AttachStdout: false,
        AttachStderr: false,
        HostConfig: { ...body.HostConfig, AutoRemove: false },
      });
      ids.push(Id);
      await containers.start(Id);
    }
    const all = processes();
    // conmon by its pid file, plus any other new process naming the daemon's root (the containers'
    // own `sleep` processes do not, and are the user's, not Polis's).
    const mine = new Set(ids.map((id) => conmonPid(daemon, id)));
    for (const p of all)
      if (!before.has(p.pid) && p.pid !== polisd && p.cmdline.includes(daemon.root)) mine.add(p.pid);
    let totalKiB = 0;
    for (const pid of mine) totalKiB += vmRssKiB(pid);
    return {
      containers: count,
      perContainerProcesses: mine.size / count,
      totalKiB,
      perContainerKiB: totalKiB / count,
      nodeBefore,
      nodeAfter: daemonNodeProcesses(daemon),
      polisdBeforeKiB,
      polisdAfterKiB: vmRssKiB(polisd),
    };
  } finally {
    // One failed removal must not leave the others behind.
    for (const id of ids)
      await containers
        .remove(id, { force: true })
        .catch((err: unknown) => console.error(`cleanup of ${id}: ${String(err)}`));
  }
}
