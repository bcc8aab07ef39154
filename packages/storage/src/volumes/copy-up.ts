import { lstat } from 'node:fs/promises';
import { errnoCode, proc } from '@polis/core';
import { secureJoin } from '../securejoin.js';

/**
 * Docker's copy-up: a new, empty volume mounted where the image has a directory starts with a copy of
 * it. The image path is resolved inside the rootfs (a symlink in the image cannot point the copy at the
 * host), and `cp -a` keeps owners, modes, times and symlinks as they are. Returns whether it copied.
 */
export async function copyUp(rootfs: string, destination: string, volumeData: string): Promise<boolean> {
  const source = await secureJoin(rootfs, destination);
  try {
    if (!(await lstat(source)).isDirectory()) return false;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return false;
    throw err;
  }
  await proc.run('cp', ['-a', '--', `${source}/.`, `${volumeData}/`]);
  return true;
}
