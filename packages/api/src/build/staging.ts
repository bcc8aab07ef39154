import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, lchown, lstat, mkdir, readdir, readlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { proc } from '@polis/core';

/**
 * Sets owners (and, with --chmod, modes) of what a COPY placed, walking with lstat so a symlink is
 * changed itself (lchown) and never followed: a link to a host path cannot make polisd touch it.
 */
export async function setOwnership(path: string, uid: number, gid: number, mode?: number): Promise<void> {
  const st = await lstat(path);
  await lchown(path, uid, gid);
  if (st.isSymbolicLink()) return;
  if (mode !== undefined) await chmod(path, mode);
  if (st.isDirectory()) {
    for (const name of await readdir(path)) await setOwnership(join(path, name), uid, gid, mode);
  }
}

/** `mkdir -p` of an image path's parents inside the staging dir, root-owned 0755 as Docker makes them. */
export async function makeParents(staging: string, dir: string): Promise<void> {
  let at = staging;
  for (const part of dir.split('/').filter((p) => p !== '')) {
    at = join(at, part);
    const st = await lstat(at).catch(() => undefined);
    if (!st) await mkdir(at, { mode: 0o755 });
  }
}

/**
 * A digest of what a step copies: every path with its type, mode, owner, size, link target and
 * content, in name order. Times are left out (Docker's cache ignores them too).
 */
export async function treeDigest(dir: string): Promise<string> {
  const hash = createHash('sha256');
  const visit = async (rel: string): Promise<void> => {
    const path = rel === '' ? dir : join(dir, rel);
    const st = await lstat(path);
    hash.update(`${rel}\0${st.mode}\0${st.uid}:${st.gid}\0${st.size}\0`);
    if (st.isSymbolicLink()) hash.update(await readlink(path));
    else if (st.isFile()) {
      for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) hash.update(chunk);
    } else if (st.isDirectory()) {
      for (const name of (await readdir(path)).sort()) await visit(rel === '' ? name : posix.join(rel, name));
    }
    hash.update('\n');
  };
  await visit('');
  return `sha256:${hash.digest('hex')}`;
}

/** The staging dir as a layer tar: its top-level entries (not `.` itself, which would change `/`). */
export async function stagingTar(staging: string): Promise<{ stream: Readable; done: Promise<unknown> }> {
  const names = (await readdir(staging)).sort();
  const args = ['--numeric-owner', '--xattrs', '--sort=name', '-C', staging, '-cf', '-', '--', ...names];
  const child = proc.start('tar', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return { stream: child.stdout as Readable, done: proc.waitFor(child, 'tar', args) };
}

/** `cp -a` without ownership: modes, times and symlinks as they are (links never followed). */
export async function copyEntry(from: string, to: string, contentsOnly: boolean): Promise<void> {
  const src = contentsOnly ? `${from}/.` : from;
  await proc.run('cp', ['-a', '--no-preserve=ownership', '--no-dereference', '--', src, to]);
}
