import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PolisError } from '@polis/core';

export type CgroupDriver = 'cgroupfs' | 'systemd';

/** Polis's cgroup parent with the cgroupfs driver, and its slice and unit prefix with systemd. */
export const CGROUP_PARENT = '/polis';
export const SYSTEMD_SLICE = 'system.slice';
export const SYSTEMD_PREFIX = 'polis';

/**
 * The OCI `linux.cgroupsPath` of a container. cgroupfs: a path (`/polis/<id>`, or under
 * `--cgroup-parent`, relative parents anchored at the root as Docker does). systemd: runc's and
 * crun's `slice:prefix:name`, which become `<slice>/polis-<id>.scope`.
 */
export function cgroupsPathFor(id: string, driver: CgroupDriver, parent?: string): string {
  if (driver === 'systemd') return `${parent || SYSTEMD_SLICE}:${SYSTEMD_PREFIX}:${id}`;
  const base = parent ? (parent.startsWith('/') ? parent : `/${parent}`) : CGROUP_PARENT;
  return `${base.replace(/\/+$/, '')}/${id}`;
}

/**
 * Where a process's cgroups are on the host: the directory of each v1 controller, and the v2 one.
 * On a hybrid host both exist; v2 is used only for a controller no v1 hierarchy has.
 */
export interface CgroupDirs {
  v1: Record<string, string>;
  /** The unified directory, when its hierarchy is mounted (`/sys/fs/cgroup` on v2, `…/unified` on hybrid). */
  v2?: string;
  /** Whether the host runs cgroup v2 only. */
  unified: boolean;
}

/** Parses /proc/PID/cgroup (`N:ctrl,ctrl:/path`, `0::/path`) against the mounts under `root`. */
export function parseCgroupFile(text: string, root = '/sys/fs/cgroup'): CgroupDirs {
  const unified = existsSync(join(root, 'cgroup.controllers'));
  const dirs: CgroupDirs = { v1: {}, unified };
  for (const line of text.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!m) continue;
    const [, hier, list, path] = m as unknown as [string, string, string, string];
    if (hier === '0' && list === '') {
      const base = unified ? root : join(root, 'unified');
      if (existsSync(base)) dirs.v2 = join(base, path);
      continue;
    }
    const controllers = list.split(',').filter((c) => c !== '' && !c.startsWith('name='));
    // A co-mounted pair (`cpu,cpuacct`) sits at `root/cpu,cpuacct` with a link per name.
    const mount = existsSync(join(root, list)) ? join(root, list) : undefined;
    for (const c of controllers) dirs.v1[c] = join(mount ?? join(root, c), path);
  }
  return dirs;
}

/** The cgroups of a running container's first process. */
export async function cgroupDirsOf(pid: number, root = '/sys/fs/cgroup'): Promise<CgroupDirs> {
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/cgroup`, 'utf8');
  } catch (err) {
    throw new PolisError('container.not_running', `the container's process ${pid} is gone`, { cause: err });
  }
  return parseCgroupFile(text, root);
}

/** Where a controller's files are: its v1 hierarchy (`v1`), else the unified one (`v2`). */
export function controllerDir(
  dirs: CgroupDirs,
  controller: string,
): { dir: string; v2: boolean } | undefined {
  const v1 = dirs.v1[controller];
  if (v1) return { dir: v1, v2: false };
  return dirs.v2 ? { dir: dirs.v2, v2: true } : undefined;
}

/** systemd's unit path of a slice: `a-b.slice` is `a.slice/a-b.slice`, `-.slice` the root. */
function slicePath(slice: string): string {
  if (slice === '-.slice' || slice === '') return '';
  const name = slice.replace(/\.slice$/, '');
  const parts = name.split('-');
  return parts.map((_, i) => `${parts.slice(0, i + 1).join('-')}.slice`).join('/');
}

/** The path inside each hierarchy that an OCI cgroupsPath names (systemd's `slice:prefix:name` expanded). */
export function hierarchyPath(cgroupsPath: string, driver: CgroupDriver): string {
  if (driver !== 'systemd') return cgroupsPath;
  const [slice = '', prefix = '', name = ''] = cgroupsPath.split(':');
  const parent = slicePath(slice);
  return `${parent ? `/${parent}` : ''}/${prefix}-${name}.scope`;
}

/**
 * A container's cgroups from its cgroupsPath, without a live process (its cgroup outlives the process
 * until the runtime's delete, which is when the OOM count is read).
 */
export function cgroupDirsFor(
  cgroupsPath: string,
  driver: CgroupDriver,
  root = '/sys/fs/cgroup',
): CgroupDirs {
  const path = hierarchyPath(cgroupsPath, driver);
  if (existsSync(join(root, 'cgroup.controllers'))) return parseCgroupFile(`0::${path}`, root);
  const lines = readdirSync(root)
    .filter(
      (name) => name !== 'unified' && name !== 'systemd' && existsSync(join(root, name, 'cgroup.procs')),
    )
    .map((name, i) => `${i + 1}:${name}:${path}`);
  return parseCgroupFile([...lines, `0::${path}`].join('\n'), root);
}
