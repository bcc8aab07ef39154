/** Resident memory of processes, from /proc. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestDaemon } from '../harness/daemon.js';
import { runRmBody } from './sdk-run.js';

/** VmRSS of a process in KiB, from `/proc/<pid>/status`. */
export function vmRssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]);
}

/** VmRSS of polisd's spawn helper (its child `polis-spawn`), 0 when it has none (Node forks then). */
export function spawnHelperRssKiB(polisdPid: number): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      if (/^Name:\s+polis-spawn$/m.test(status) && new RegExp(`^PPid:\\s+${polisdPid}$`, 'm').test(status))
        return vmRssKiB(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return 0;
}

/** conmon's RSS while it supervises one running `sleep 30` container; the container is removed after. */
export async function conmonRssKiB(daemon: TestDaemon, image: string): Promise<number> {
  const containers = daemon.client.containers;
  const body = runRmBody(image, ['sleep', '30']);
  const { Id } = await containers.create({
    ...body,
    AttachStdout: false,
    AttachStderr: false,
    HostConfig: { ...body.HostConfig, AutoRemove: false },
  });
  try {
    await containers.start(Id);
    const pidFile = join(daemon.execRoot, 'containers', Id, 'conmon.pid');
    if (!existsSync(pidFile)) throw new Error(`no conmon pid file at ${pidFile}`);
    return vmRssKiB(Number(readFileSync(pidFile, 'utf8').trim()));
  } finally {
    await containers.remove(Id, { force: true });
  }
}
