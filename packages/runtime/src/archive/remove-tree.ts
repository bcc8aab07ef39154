import { lstat, readdir, rmdir, unlink } from 'node:fs/promises';
import { posix } from 'node:path';
import { PolisError } from '@polis/core';
import { fdPath, type ConfinedRoot, type HeldDir } from './confined.js';

/**
 * Removes `name` in `parent` and, for a directory, everything under it, through held directory fds:
 * a path-based recursive rm could be redirected to the host by a directory swapped for a symlink
 * mid-walk. Here a swapped name fails to open as a directory (O_NOFOLLOW) or is unlinked as a link.
 */
export async function removeTree(root: ConfinedRoot, parent: HeldDir, name: string): Promise<void> {
  if (await root.isMountPoint(parent, name)) {
    const path = posix.join(parent.path, name);
    throw new PolisError('request.conflict', `cannot replace ${path}: something is mounted there`, {
      context: { path },
    });
  }
  const st = await lstat(fdPath(parent.fd, name));
  if (!st.isDirectory()) {
    await unlink(fdPath(parent.fd, name));
    return;
  }
  const dir = await root.openChild(parent, name);
  try {
    for (const child of await readdir(fdPath(dir.fd))) await removeTree(root, dir, child);
  } finally {
    await root.release(dir);
  }
  await rmdir(fdPath(parent.fd, name));
}
