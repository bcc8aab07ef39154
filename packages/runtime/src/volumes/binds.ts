import { posix } from 'node:path';
import { PolisError, type BindMount, type ContainerRecord } from '@polis/core';
import { secureJoin } from '@polis/storage';
import type { RuntimeContext } from '../context.js';

/**
 * The container's binds and volumes as host-path binds for config.json, parents before children (as
 * Docker sorts them). Each mount point is resolved inside the mounted rootfs first, so a symlink in the
 * image (`/data -> /etc`, `x -> ../../..`) moves the mount inside the container, never onto the host.
 */
export async function resolvedBinds(
  ctx: RuntimeContext,
  record: ContainerRecord,
  rootfs: string,
): Promise<BindMount[]> {
  const volumeBinds: BindMount[] = [];
  for (const v of record.spec.storage.volumes ?? []) {
    const volume = ctx.volumes?.find(v.name);
    if (!ctx.volumes || !volume) {
      throw new PolisError('volume.not_found', `get ${v.name}: no such volume`, {
        context: { id: record.id, name: v.name },
      });
    }
    // A volume with mount options (tmpfs, a bind of a device, a size) is mounted at its first running
    // user; every start is a `mount` event, as Docker's.
    await ctx.volumes.mount(v.name, {
      container: record.id,
      destination: v.destination,
      readonly: v.readonly,
    });
    volumeBinds.push({ source: volume.mountpoint, destination: v.destination, readonly: v.readonly });
  }
  const all = [...record.spec.storage.binds, ...volumeBinds];
  const out: BindMount[] = [];
  for (const b of all) out.push({ ...b, destination: await mountPointInside(rootfs, b.destination) });
  return out.sort((a, b) => depth(a.destination) - depth(b.destination));
}

const depth = (p: string): number => p.split('/').filter(Boolean).length;

/** After a run ended or failed to start: each volume is unmounted once no running container uses it. */
export async function releaseVolumes(ctx: RuntimeContext, record: ContainerRecord): Promise<void> {
  for (const v of record.spec.storage.volumes ?? []) {
    await ctx.volumes
      ?.release(v.name, record.id)
      .catch((err) => ctx.log.warn('unmounting a volume', { volume: v.name, err }));
  }
}

/**
 * Where a mount point lands inside the rootfs, symlinks followed as if the rootfs were `/`. A path that
 * resolves to the root itself (`x -> ../../..`) is refused: nothing may be mounted over the root.
 */
export async function mountPointInside(rootfs: string, destination: string): Promise<string> {
  const inside = '/' + posix.relative(rootfs, await secureJoin(rootfs, destination));
  if (inside === '/') {
    throw new PolisError(
      'request.invalid',
      `invalid mount config: ${destination} resolves to the container's root inside the image`,
      { context: { destination } },
    );
  }
  return inside;
}
