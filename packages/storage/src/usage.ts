import { open, readdir, lstat } from 'node:fs/promises';
import { errnoCode } from '@polis/core';
import { DIR_FLAGS, fdPath } from './sync/at.js';
import { IO_PARALLEL, mapPool } from './sync/pool.js';

/**
 * Bytes used under `root` by Docker's rule (`directory.Size`): the apparent size of every entry that is
 * not a directory, each hard-linked inode once. The walk is async (the event loop keeps serving while a
 * large tree is read) and goes through held directory fds with O_NOFOLLOW, so a container that swaps a
 * directory of its own for a symlink cannot make us walk the host. A tree that is missing counts 0; an
 * entry that vanishes mid-walk is skipped.
 */
export async function treeUsage(root: string): Promise<number> {
  let handle;
  try {
    handle = await open(root, DIR_FLAGS);
  } catch (err) {
    if (['ENOENT', 'ENOTDIR', 'ELOOP'].includes(errnoCode(err) ?? '')) return 0;
    throw err;
  }
  const seen = new Set<bigint>();
  let total = 0;
  async function visit(dirFd: number): Promise<void> {
    let names: string[];
    try {
      names = await readdir(fdPath(dirFd));
    } catch {
      return;
    }
    const stats = await mapPool(names, IO_PARALLEL, (name) =>
      lstat(fdPath(dirFd, name), { bigint: true }).catch(() => undefined),
    );
    for (const [i, st] of stats.entries()) {
      if (!st) continue; // gone meanwhile
      if (st.isDirectory()) {
        let child;
        try {
          child = await open(fdPath(dirFd, names[i] as string), DIR_FLAGS);
        } catch {
          continue; // swapped for something else meanwhile
        }
        try {
          await visit(child.fd);
        } finally {
          await child.close();
        }
        continue;
      }
      if (st.size === 0n) continue;
      if (st.nlink > 1n) {
        if (seen.has(st.ino)) continue;
        seen.add(st.ino);
      }
      total += Number(st.size);
    }
  }
  try {
    await visit(handle.fd);
  } finally {
    await handle.close();
  }
  return total;
}
