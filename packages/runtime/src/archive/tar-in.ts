import { constants } from 'node:fs';
import { link, lchown, lutimes, mkdir, open, symlink, type FileHandle } from 'node:fs/promises';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { extract as tarExtract, type Headers } from 'tar-stream';
import { PolisError, isPolisError, proc, toHostId, type IdMappings } from '@polis/core';
import { fdPath, notFound, readOnly, type ConfinedRoot, type Resolved } from './confined.js';
import { removeTree } from './remove-tree.js';

export interface ExtractOptions {
  /**
   * Owner of every entry (`copyUIDGID` for a container with a user, as Docker); without it each entry
   * keeps the archive's uid and gid.
   */
  owner?: { uid: number; gid: number };
  /** A remapped container's maps: the ids above are the container's, stored as their host ids. */
  mappings?: IdMappings;
  /** `noOverwriteDirNonDir`: refuse to replace a directory with a non-directory and the reverse. */
  noOverwriteDirNonDir: boolean;
}

const NEW_FILE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
const DIR_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

/**
 * Where an archive entry lands: `dest` joined with the entry's cleaned name, as Docker's `Unpack` does:
 * an absolute name is taken inside `dest`, a name that climbs out of `dest` is refused.
 */
export function entryPath(dest: string, name: string): string | undefined {
  const cleaned = posix.normalize(name.replace(/^\/+/, '') || '.');
  if (cleaned === '..' || cleaned.startsWith('../')) return undefined;
  return posix.join(dest, cleaned);
}

/**
 * Extracts the tar `input` into the directory `destPath` (followed to the end, as Docker) of `root`.
 * Every entry is resolved inside the root, created with O_EXCL|O_NOFOLLOW in a directory held open, and
 * given its owner, mode and times through its own fd: nothing reaches outside the root, whatever the
 * archive or the container's symlinks say. Device nodes are refused.
 */
export async function extractInto(
  root: ConfinedRoot,
  destPath: string,
  input: Readable,
  options: ExtractOptions,
): Promise<void> {
  const dest = await root.resolve(destPath, { followLast: true });
  try {
    if (!dest.stat) throw notFound(destPath);
    if (!dest.stat.isDirectory()) {
      throw new PolisError('archive.not_a_directory', 'extraction point is not a directory', {
        context: { path: destPath },
      });
    }
    const held = await root.openResolved(dest);
    const { readonly, kernel } = held;
    await root.release(held);
    if (readonly) throw readOnly(dest.path);
    if (kernel) {
      throw new PolisError(
        'archive.read_only',
        `${dest.path} is a kernel file system in the container; nothing is copied into it`,
        { context: { path: dest.path } },
      );
    }
  } finally {
    await root.done(dest);
  }
  const dirTimes: { path: string; mtime: Date }[] = [];
  const extract = tarExtract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (headers, stream, next) => {
      writeEntry(root, dest.path, headers, stream, options, dirTimes).then(
        () => next(),
        (err: unknown) => {
          stream.resume();
          reject(err);
          extract.destroy();
        },
      );
    });
    extract.on('finish', resolve);
    extract.on('error', (err: Error) =>
      reject(new PolisError('archive.invalid', `invalid tar archive: ${err.message}`, { cause: err })),
    );
  });
  input.on('error', (err) => extract.destroy(err));
  input.pipe(extract);
  try {
    await done;
  } finally {
    input.unpipe(extract);
  }
  // Directories get their times last: the entries written into them changed their mtime.
  for (const { path, mtime } of dirTimes.reverse()) {
    const at = await root.resolve(path).catch(() => undefined);
    if (!at) continue;
    try {
      if (at.stat?.isDirectory() && at.name) await lutimes(fdPath(at.parent.fd, at.name), mtime, mtime);
    } finally {
      await root.done(at);
    }
  }
}

async function writeEntry(
  root: ConfinedRoot,
  dest: string,
  h: Headers,
  body: Readable,
  options: ExtractOptions,
  dirTimes: { path: string; mtime: Date }[],
): Promise<void> {
  const path = entryPath(dest, h.name);
  if (path === undefined) throw breakout(`${JSON.stringify(h.name)} is outside of ${JSON.stringify(dest)}`);
  const type = h.type ?? 'file';
  if (path === dest) {
    if (type === 'directory') return drain(body);
    throw breakout(`${JSON.stringify(h.name)} would replace the extraction point ${JSON.stringify(dest)}`);
  }
  if (type === 'character-device' || type === 'block-device') {
    throw new PolisError(
      'archive.invalid',
      `device node ${JSON.stringify(h.name)} is not extracted into a container`,
      {
        context: { name: h.name },
      },
    );
  }
  if (!['file', 'contiguous-file', 'directory', 'symlink', 'link', 'fifo'].includes(type)) return drain(body);
  const at = await root.resolve(path, { create: true });
  try {
    if (!at.name) throw breakout(`${JSON.stringify(h.name)} names the root`);
    if (at.parent.readonly) throw readOnly(path);
    const isDir = type === 'directory';
    if (at.stat) {
      const existingDir = at.stat.isDirectory();
      if (options.noOverwriteDirNonDir && existingDir && !isDir) {
        throw overwrite(
          `cannot overwrite directory ${JSON.stringify(path)} with non-directory ${JSON.stringify(h.name)}`,
        );
      }
      if (options.noOverwriteDirNonDir && !existingDir && isDir) {
        throw overwrite(
          `cannot overwrite non-directory ${JSON.stringify(path)} with directory ${JSON.stringify(h.name)}`,
        );
      }
      if (!(existingDir && isDir)) await removeTree(root, at.parent, at.name);
    }
    let uid = options.owner?.uid ?? h.uid ?? 0;
    let gid = options.owner?.gid ?? h.gid ?? 0;
    if (options.mappings) {
      uid = toHostId(uid, options.mappings.uids);
      gid = toHostId(gid, options.mappings.gids);
    }
    const mode = (h.mode ?? 0o644) & 0o7777;
    const mtime = h.mtime ?? new Date();
    const target = fdPath(at.parent.fd, at.name);
    switch (type) {
      case 'directory': {
        if (!at.stat) await mkdir(target, { mode: 0o700 });
        const handle = await open(target, DIR_FLAGS);
        try {
          await handle.chown(uid, gid);
          await handle.chmod(mode);
        } finally {
          await handle.close();
        }
        dirTimes.push({ path, mtime });
        return drain(body);
      }
      case 'symlink':
        await symlink(h.linkname ?? '', target);
        await lchown(target, uid, gid);
        await lutimes(target, mtime, mtime);
        return drain(body);
      case 'link':
        await hardLink(root, dest, h, target);
        return drain(body);
      case 'fifo':
        // Node has no mkfifo; the tool gets a path that starts at our held directory fd.
        await proc.run('mkfifo', [
          '-m',
          (mode & 0o777).toString(8),
          `/proc/${process.pid}/fd/${at.parent.fd}/${at.name}`,
        ]);
        await lchown(target, uid, gid);
        await lutimes(target, mtime, mtime);
        return drain(body);
      default: {
        const handle = await open(target, NEW_FILE, 0o600);
        try {
          await writeBody(body, handle);
          await handle.chown(uid, gid);
          await handle.chmod(mode);
          await handle.utimes(mtime, mtime);
        } finally {
          await handle.close();
        }
      }
    }
  } finally {
    await root.done(at);
  }
}

/** A hard link's target is taken inside `dest` as the entry names are; one that climbs out is refused. */
async function hardLink(root: ConfinedRoot, dest: string, h: Headers, target: string): Promise<void> {
  const source = entryPath(dest, h.linkname ?? '');
  if (source === undefined || source === dest) {
    throw breakout(`invalid hardlink ${JSON.stringify(h.name)} -> ${JSON.stringify(h.linkname)}`);
  }
  let from: Resolved;
  try {
    from = await root.resolve(source);
  } catch (err) {
    if (isPolisError(err, 'archive.path_not_found')) throw notFound(source);
    throw err;
  }
  try {
    if (!from.stat || !from.name) throw notFound(source);
    if (from.stat.isDirectory()) throw breakout(`invalid hardlink ${JSON.stringify(h.name)} -> a directory`);
    // link(2) does not follow a symlink named as its source: the link is to the entry itself.
    await link(fdPath(from.parent.fd, from.name), target);
  } finally {
    await root.done(from);
  }
}

/** Gathered before each write: the request arrives in socket-sized pieces, the disk likes fewer, larger writes. */
const WRITE_BATCH = 1024 * 1024;

/** An entry's content into `handle`, in writes of about 1 MiB (a `writev` of the pieces gathered). */
async function writeBody(body: Readable, handle: FileHandle): Promise<void> {
  let batch: Buffer[] = [];
  let length = 0;
  const flush = async (): Promise<void> => {
    const buffers = batch;
    const total = length;
    batch = [];
    length = 0;
    const { bytesWritten } = await handle.writev(buffers);
    let rest = bytesWritten < total ? Buffer.concat(buffers).subarray(bytesWritten) : undefined;
    while (rest?.length) rest = rest.subarray((await handle.write(rest)).bytesWritten);
  };
  for await (const chunk of body) {
    batch.push(chunk as Buffer);
    length += (chunk as Buffer).length;
    if (length >= WRITE_BATCH) await flush();
  }
  if (length > 0) await flush();
}

function drain(body: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    body.on('end', resolve);
    body.on('error', reject);
    body.resume();
  });
}

function breakout(message: string): PolisError {
  return new PolisError('archive.invalid', message);
}

function overwrite(message: string): PolisError {
  return new PolisError('archive.invalid', message);
}
