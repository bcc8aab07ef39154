import { stat } from 'node:fs/promises';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PolisError, isPolisError, type ContainerRecord } from '@polis/core';
import { emit, type RuntimeContext } from '../context.js';
import { withContainerRootfs } from '../rootfs-access.js';
import { resolveUser } from '../bundle/user.js';
import { ConfinedRoot, readOnly, type ConfinedMount } from './confined.js';
import type { ContainerPathStat, PutArchiveOptions } from '../types.js';
import { absoluteContainerPath, baseName, statContainerPath } from './stat.js';
import { tarEntry } from './tar-out.js';
import { openProcessRoot } from './process-root.js';
import { containerCgroupProcPath } from '../host/container-cgroup.js';
import { extractInto } from './tar-in.js';

/**
 * The directories mounted into a stopped container's tree, which a copy enters at their mount points as
 * Docker's does: volumes and the bind mounts whose source is a directory. A file bind is not entered
 * (a stopped container has no tmpfs, and Polis's `/etc/hosts` and the like go with its bundle).
 */
async function containerMounts(ctx: RuntimeContext, record: ContainerRecord): Promise<ConfinedMount[]> {
  const mounts: ConfinedMount[] = [];
  // A volume is its `_data` directory bound at its mount point (see volumes/binds.ts).
  for (const v of record.spec.storage.volumes ?? []) {
    const volume = ctx.volumes?.find(v.name);
    if (volume) {
      mounts.push({
        destination: posix.normalize(v.destination),
        source: volume.mountpoint,
        readonly: v.readonly,
      });
    }
  }
  for (const bind of record.spec.storage.binds) {
    const isDir = await stat(bind.source).then(
      (st) => st.isDirectory(),
      () => false,
    );
    if (isDir) {
      mounts.push({
        destination: posix.normalize(bind.destination),
        source: bind.source,
        readonly: bind.readonly,
      });
    }
  }
  return mounts;
}

/**
 * A running (or paused) container is copied through its own view of its tree (`/proc/<pid>/root`), so a
 * copy sees every mount there as the container does: volumes, file binds such as `/etc/hosts`, tmpfs. A
 * stopped one (or one whose process just went) through its rootfs, with the directory mounts layered in.
 */
async function openRoot(
  ctx: RuntimeContext,
  rootfs: string,
  record: ContainerRecord,
  readonly: boolean,
): Promise<ConfinedRoot> {
  const live = record.state.status === 'running' || record.state.status === 'paused';
  const processRoot = live
    ? await openProcessRoot(record.state.pid, containerCgroupProcPath(ctx, record))
    : undefined;
  if (processRoot) return ConfinedRoot.fromProcessRoot(processRoot);
  return ConfinedRoot.open(rootfs, { readonly, mounts: await containerMounts(ctx, record) });
}

/**
 * Runs `fn` with the container's volumes mounted. A running container's are mounted already; a stopped
 * one's that mount something (a tmpfs, a size-limited image) are held for the copy, or the copy would
 * read or write the empty directory under the mount.
 */
async function withVolumes<T>(
  ctx: RuntimeContext,
  record: ContainerRecord,
  fn: () => Promise<T>,
): Promise<T> {
  const releases: (() => Promise<void>)[] = [];
  try {
    for (const v of record.spec.storage.volumes ?? []) {
      if (ctx.volumes?.find(v.name)) releases.push(await ctx.volumes.hold(v.name));
    }
    return await fn();
  } finally {
    for (const release of releases) {
      await release().catch((err) => ctx.log.warn('unmounting a volume after a copy', { err }));
    }
  }
}

/**
 * Docker's wording for a missing path (`Could not find the file /x in container NAME`), and typed errors
 * for what a container changing its tree under a copy makes the kernel say (a name gone, a directory
 * turned into a symlink): never a bare errno naming our `/proc/self/fd` paths.
 */
function copyError(err: unknown, path: string, reference: string): unknown {
  const errno = (err as NodeJS.ErrnoException).code;
  if (isPolisError(err, 'archive.path_not_found') || errno === 'ENOENT') {
    return new PolisError(
      'archive.path_not_found',
      `Could not find the file ${path} in container ${reference}`,
      {
        cause: err,
        context: { path, container: reference },
      },
    );
  }
  if (errno === 'ENOTDIR' || errno === 'ELOOP') {
    return new PolisError('archive.not_a_directory', `not a directory: ${path} changed during the copy`, {
      cause: err,
      context: { path, container: reference },
    });
  }
  if (errno === 'EROFS') return readOnly(path);
  if (errno === 'EBUSY') {
    // Replacing an entry means unlinking it first, which a mount point (a bound file) refuses.
    return new PolisError('request.conflict', `cannot replace ${path}: a mount point in the container`, {
      cause: err,
      context: { path, container: reference },
    });
  }
  return err;
}

/** `HEAD /containers/{id}/archive`: the stat of `path` in the container. */
export function statPath(ctx: RuntimeContext, reference: string, path: string): Promise<ContainerPathStat> {
  return withContainerRootfs(ctx, reference, 'be copied from', (rootfs, record) =>
    withVolumes(ctx, record, async () => {
      const root = await openRoot(ctx, rootfs, record, false);
      try {
        return (await statContainerPath(root, path)).stat;
      } catch (err) {
        throw copyError(err, path, reference);
      } finally {
        await root.close();
      }
    }),
  );
}

/**
 * `GET /containers/{id}/archive`: the stat and a tar of `path`. The container stays locked (and a stopped
 * one's rootfs mounted) until the stream ends or is destroyed.
 */
export function getArchive(
  ctx: RuntimeContext,
  reference: string,
  path: string,
): Promise<{ stat: ContainerPathStat; stream: Readable }> {
  return new Promise((resolve, reject) => {
    withContainerRootfs(ctx, reference, 'be copied from', (rootfs, record) =>
      withVolumes(ctx, record, async () => {
        const root = await openRoot(ctx, rootfs, record, false);
        try {
          let found;
          try {
            found = await statContainerPath(root, path);
          } catch (err) {
            throw copyError(err, path, reference);
          }
          const { resolved, stat } = found;
          const out = new PassThrough();
          const tar = tarEntry(
            root,
            { ...resolved, stat: resolved.stat! },
            baseName(absoluteContainerPath(path)),
            record.idMappings,
          );
          resolve({ stat, stream: out });
          emit(ctx, 'archive-path', record);
          await pipeline(tar, out).catch((err: unknown) =>
            ctx.log.debug('archive stream ended early', { err }),
          );
        } finally {
          await root.close();
        }
      }),
    ).catch(reject);
  });
}

/** `PUT /containers/{id}/archive`: extracts the tar `input` into the directory `path`. */
export function putArchive(
  ctx: RuntimeContext,
  reference: string,
  path: string,
  input: Readable,
  options: PutArchiveOptions = {},
): Promise<void> {
  return withContainerRootfs(ctx, reference, 'be copied to', (rootfs, record) =>
    withVolumes(ctx, record, async () => {
      const user = record.process.user;
      const owner =
        options.copyUidGid && user
          ? await resolveUser(rootfs, user).then((u) => ({ uid: u.uid, gid: u.gid }))
          : undefined;
      const root = await openRoot(ctx, rootfs, record, record.spec.storage.readonlyRootfs);
      try {
        await extractInto(root, absoluteContainerPath(path), input, {
          ...(owner ? { owner } : {}),
          ...(record.idMappings ? { mappings: record.idMappings } : {}),
          noOverwriteDirNonDir: options.noOverwriteDirNonDir ?? false,
        });
      } catch (err) {
        throw copyError(err, path, reference);
      } finally {
        await root.close();
      }
      emit(ctx, 'extract-to-dir', record);
    }),
  );
}
