import { constants } from 'node:fs';
import { open, readFile, type FileHandle } from 'node:fs/promises';

const DIR = constants.O_RDONLY | constants.O_DIRECTORY;

/**
 * Whether a `/proc/<pid>/cgroup` text puts the process in the container's own cgroup OWN (as the kernel
 * shows it: `/polis/<id>`, under a `--cgroup-parent`, or a systemd scope) or below it.
 */
export function inContainerCgroup(cgroupText: string, own: string): boolean {
  return cgroupText.split('\n').some((line) => {
    const path = line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1);
    return path === own || path.startsWith(`${own}/`);
  });
}

/**
 * The root directory of a running container as its processes see it (`/proc/<pid>/root`): the rootfs with
 * every mount of its mount namespace on it (volumes, file binds such as `/etc/hosts`, tmpfs), so a copy
 * reads and writes what the container sees. Undefined when the process is gone or is not the container's.
 *
 * The `/proc/<pid>` directory is opened first and everything else is looked up through it: once that
 * process exits, lookups there fail, so a pid reused by a host process can never hand out the host's root.
 * The cgroup check makes sure the pid was the container's when the directory was opened.
 */
export async function openProcessRoot(pid: number, cgroup: string): Promise<FileHandle | undefined> {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  let procDir: FileHandle;
  try {
    procDir = await open(`/proc/${pid}`, DIR);
  } catch {
    return undefined;
  }
  try {
    const text = await readFile(`/proc/self/fd/${procDir.fd}/cgroup`, 'utf8');
    if (!inContainerCgroup(text, cgroup)) return undefined;
    // `root` is a magic link: following it is the point (it is the process's root, not a path in it).
    return await open(`/proc/self/fd/${procDir.fd}/root`, DIR);
  } catch {
    return undefined;
  } finally {
    await procDir.close();
  }
}
