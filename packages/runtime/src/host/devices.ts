import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PolisError, type DeviceMapping } from '@polis/core';
import type { ContainerDevice } from '@polis/security';
import { deviceNumbers } from '../bundle/block-io.js';

/** Directories of /dev a privileged container does not get from the host (runc's HostDevices). */
const SKIPPED_DIRS = new Set(['pts', 'shm', 'fd', 'mqueue', '.lxc', '.lxd-mounts', '.udev']);
/** Nodes the runtime makes itself in every container (its own console and ptmx). */
const SKIPPED_NODES = new Set(['/dev/console', '/dev/ptmx', '/dev/tty']);

function gathering(pathOnHost: string, why: string): PolisError {
  return new PolisError(
    'request.invalid',
    `error gathering device information while adding custom device ${JSON.stringify(pathOnHost)}: ${why}`,
    { context: { path: pathOnHost } },
  );
}

async function node(
  path: string,
  inContainer: string,
  permissions: string,
): Promise<ContainerDevice | undefined> {
  const st = await stat(path);
  if (!st.isCharacterDevice() && !st.isBlockDevice()) return undefined;
  return {
    path: inContainer,
    type: st.isCharacterDevice() ? 'c' : 'b',
    ...deviceNumbers(st.rdev),
    fileMode: st.mode & 0o7777,
    uid: st.uid,
    gid: st.gid,
    permissions,
  };
}

/**
 * The nodes of one `--device`: the node itself (symlinks followed, as Docker does), or every node
 * under a directory, at the same relative path under the container path.
 */
export async function devicesFromMapping(m: DeviceMapping): Promise<ContainerDevice[]> {
  let resolved: string;
  try {
    resolved = await realpath(m.pathOnHost);
  } catch (err) {
    throw gathering(
      m.pathOnHost,
      (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message,
    );
  }
  const st = await stat(resolved);
  if (!st.isDirectory()) {
    const found = await node(resolved, m.pathInContainer, m.cgroupPermissions);
    if (!found) throw gathering(m.pathOnHost, 'not a device node');
    return [found];
  }
  const out: ContainerDevice[] = [];
  for (const entry of await readdir(resolved, { recursive: true })) {
    const found = await node(
      join(resolved, entry),
      join(m.pathInContainer, entry),
      m.cgroupPermissions,
    ).catch(() => undefined);
    if (found) out.push(found);
  }
  return out;
}

/** Every device node of the host's /dev, for a privileged container (runc's HostDevices). */
export async function hostDevices(dir = '/dev'): Promise<ContainerDevice[]> {
  const out: ContainerDevice[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) out.push(...(await hostDevices(path)));
      continue;
    }
    if (SKIPPED_NODES.has(path) || (!entry.isCharacterDevice() && !entry.isBlockDevice())) continue;
    // A node that vanished since the listing is not the container's problem.
    const found = await node(path, path, 'rwm').catch(() => undefined);
    if (found) out.push(found);
  }
  return out;
}

/** The device nodes a container gets: its `--device` list, plus the host's own when privileged. */
export async function containerDevices(
  privileged: boolean,
  mappings: readonly DeviceMapping[] = [],
): Promise<ContainerDevice[]> {
  const asked = (await Promise.all(mappings.map(devicesFromMapping))).flat();
  if (!privileged) return asked;
  const taken = new Set(asked.map((d) => d.path));
  return [...(await hostDevices()).filter((d) => !taken.has(d.path)), ...asked];
}
