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
import { extractInto } from './tar-in.js';

/**
 * The directories mounted into the container's tree, which a copy enters at their mount points as
 * Docker's does: the bind mounts whose source is a directory. Volumes (issue 10 items 1-2) add theirs
 * here. A file bind and a tmpfs are not entered (Docker's cp does not see tmpfs either).
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

async function openRoot(
  ctx: RuntimeContext,
  rootfs: string,
  record: ContainerRecord,
  readonly: boolean,
): Promise<ConfinedRoot> {
  return ConfinedRoot.open(rootfs, { readonly, mounts: await containerMounts(ctx, record) });
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
  return err;
}

/** `HEAD /containers/{id}/archive`: the stat of `path` in the container. */
export function statPath(ctx: RuntimeContext, reference: string, path: string): Promise<ContainerPathStat> {
  return withContainerRootfs(ctx, reference, 'be copied from', async (rootfs, record) => {
    const root = await openRoot(ctx, rootfs, record, false);
    try {
      return (await statContainerPath(root, path)).stat;
    } catch (err) {
      throw copyError(err, path, reference);
    } finally {
      await root.close();
    }
  });
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
    withContainerRootfs(ctx, reference, 'be copied from', async (rootfs, record) => {
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
    }).catch(reject);
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
  return withContainerRootfs(ctx, reference, 'be copied to', async (rootfs, record) => {
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
  });
}
