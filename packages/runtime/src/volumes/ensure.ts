import { PolisError, type ContainerRecord } from '@polis/core';
import { copyUp } from '@polis/storage';
import type { RuntimeContext } from '../context.js';

/**
 * Creates the volumes a new container names that do not exist yet, then fills each empty one from the
 * image (Docker's copy-up) unless the mount says `nocopy`. The rootfs is mounted for the copy only.
 * Returns the volumes this call created, for the caller to take back if the create fails later.
 */
export async function ensureVolumes(ctx: RuntimeContext, record: ContainerRecord): Promise<string[]> {
  const mounts = record.spec.storage.volumes ?? [];
  if (mounts.length === 0) return [];
  const volumes = ctx.volumes;
  if (!volumes) {
    throw new PolisError('request.invalid', 'this daemon has no volume service', {
      context: { id: record.id },
    });
  }
  const created: string[] = [];
  const toFill: { destination: string; data: string }[] = [];
  const held: (() => Promise<void>)[] = [];
  try {
    for (const m of mounts) {
      const { volume, created: isNew } = volumes.create({
        name: m.name,
        ...(m.driver ? { driver: m.driver } : {}),
        ...(m.driverOptions ? { driverOptions: m.driverOptions } : {}),
        ...(m.labels ? { labels: m.labels } : {}),
        anonymous: m.anonymous,
      });
      if (isNew) created.push(volume.name);
      // A size-limited volume keeps its files in its image: it is mounted for the check and the copy
      // (its image made now, so a volume that cannot be made fails the create). A tmpfs or a bound
      // device gets no copy, as its content would not outlive the mount.
      const sized = 'size' in volume.options;
      const copyable = Object.keys(volume.options).length === 0 || sized;
      if (m.nocopy || !copyable) continue;
      if (sized) held.push(await volumes.hold(volume.name));
      if (await volumes.isEmpty(volume.name)) {
        toFill.push({ destination: m.destination, data: volume.mountpoint });
      }
    }
    if (toFill.length > 0) {
      const layout = await ctx.images.mountRootfs(record.imageId, record.paths.dir, record.idMappings);
      try {
        for (const f of toFill) await copyUp(layout.target, f.destination, f.data);
      } finally {
        await ctx.images.unmountRootfs(record.paths.dir);
      }
    }
  } catch (err) {
    await releaseAll(ctx, held);
    await removeVolumes(ctx, created);
    throw err;
  }
  await releaseAll(ctx, held);
  return created;
}

async function releaseAll(ctx: RuntimeContext, releases: (() => Promise<void>)[]): Promise<void> {
  for (const release of releases.splice(0)) {
    await release().catch((err) => ctx.log.warn('unmounting a volume after copy-up', { err }));
  }
}

/** Removes volumes by name; one still used elsewhere or already gone is left alone. */
export async function removeVolumes(ctx: RuntimeContext, names: string[]): Promise<void> {
  for (const name of names) {
    try {
      await ctx.volumes?.remove(name, { force: true });
    } catch (err) {
      if (err instanceof PolisError && err.code === 'volume.in_use') continue;
      ctx.log.warn('removing a volume failed', { volume: name, err });
    }
  }
}

/** `rm -v` and `--rm`: the container's own anonymous volumes go with it. */
export async function removeAnonymousVolumes(ctx: RuntimeContext, record: ContainerRecord): Promise<void> {
  const names = (record.spec.storage.volumes ?? []).filter((v) => v.anonymous).map((v) => v.name);
  await removeVolumes(ctx, names);
}
