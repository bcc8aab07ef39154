import { lstat, readlink } from 'node:fs/promises';
import { posix } from 'node:path';
import { errnoCode, PolisError } from '@polis/core';

/** Linux's own limit on symlinks followed in one lookup (ELOOP past it). */
const MAX_SYMLINKS = 255;

/**
 * Resolves `path` as if `root` were `/` (runc's securejoin): every symlink met on the way is read and
 * followed inside `root`, an absolute target restarts at `root`, and `..` stops at `root`. The result is
 * a host path under `root` with no symlink in it at the time of the call; components that do not exist
 * yet are appended as they are. Nothing is created.
 */
export async function secureJoin(root: string, path: string): Promise<string> {
  const base = posix.resolve(root);
  let pending = splitPath(path);
  const done: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '..') {
      done.pop();
      continue;
    }
    const candidate = posix.join(base, ...done, part);
    let isLink = false;
    try {
      isLink = (await lstat(candidate)).isSymbolicLink();
    } catch (err) {
      const code = errnoCode(err);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
    }
    if (!isLink) {
      done.push(part);
      continue;
    }
    if (++links > MAX_SYMLINKS) {
      throw new PolisError('volume.invalid', `too many symlinks resolving ${path} in ${root}`, {
        context: { root, path },
      });
    }
    const target = await readlink(candidate);
    if (target.startsWith('/')) done.length = 0;
    pending = [...splitPath(target), ...pending];
  }
  return posix.join(base, ...done);
}

function splitPath(path: string): string[] {
  return path.split('/').filter((p) => p !== '' && p !== '.');
}
