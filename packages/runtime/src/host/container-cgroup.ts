import type { ContainerRecord } from '@polis/core';
import type { RuntimeContext } from '../context.js';
import { SYSTEMD_PREFIX, cgroupDirsFor, cgroupsPathFor, type CgroupDirs } from './cgroup-paths.js';

/** The OCI cgroupsPath of a container under this daemon's driver and the container's `--cgroup-parent`. */
export function containerCgroupsPath(ctx: RuntimeContext, record: ContainerRecord): string {
  return cgroupsPathFor(record.id, ctx.config.cgroupDriver ?? 'cgroupfs', record.spec.resources.cgroupParent);
}

/** Where a container's cgroup files are (valid from the runtime's create until its delete). */
export function containerCgroupDirs(ctx: RuntimeContext, record: ContainerRecord): CgroupDirs {
  return cgroupDirsFor(containerCgroupsPath(ctx, record), ctx.config.cgroupDriver ?? 'cgroupfs');
}

/** The container's cgroup as /proc/PID/cgroup shows it (a systemd `slice:prefix:id` is `/slice/prefix-id.scope`). */
export function containerCgroupProcPath(ctx: RuntimeContext, record: ContainerRecord): string {
  const path = containerCgroupsPath(ctx, record);
  if ((ctx.config.cgroupDriver ?? 'cgroupfs') !== 'systemd') return path;
  const [slice = '', prefix = SYSTEMD_PREFIX, name = record.id] = path.split(':');
  return `/${slice}/${prefix}-${name}.scope`;
}
