import { existsSync } from 'node:fs';
import { open, rename, rm, rmdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { proc } from '@polis/core';
import { isMountPoint, unmountIfMounted } from '../mounts.js';
import type { VolumeDriver } from './types.js';
import { removeVolumeDir } from './remove-dir.js';
import { IMAGE_FILE, PARTIAL_IMAGE_FILE } from './image-files.js';

/**
 * `-o size=N`: the volume is an ext4 file system of N bytes in a sparse image file, mounted on `_data`
 * through a loop device (`mount -o loop` sets autoclear, so the unmount also frees the device). Writes
 * past the size fail with ENOSPC inside the container. The image is made at the first mount, so `create`
 * stays a quick record; the image is sparse, so it takes host space only as data is written.
 */
export function sizedDriver(bytes: number): VolumeDriver {
  return {
    mounts: true,
    path: (v) => v.mountpoint,
    async mount(v) {
      if (await isMountPoint(v.mountpoint)) return;
      const dir = dirname(v.mountpoint);
      const image = join(dir, IMAGE_FILE);
      const fresh = !existsSync(image);
      // (A loop device a crash left attached to the image is detached at boot, `detachStaleLoops`.)
      if (fresh) await makeImage(dir, bytes);
      await proc.run('mount', ['-t', 'ext4', '-o', 'loop,noinit_itable', image, v.mountpoint]);
      // An empty volume looks empty, as a directory volume does.
      if (fresh) await rmdir(join(v.mountpoint, 'lost+found')).catch(() => undefined);
    },
    unmount: (v) => unmountIfMounted(v.mountpoint),
    remove: removeVolumeDir,
  };
}

async function makeImage(dir: string, bytes: number): Promise<void> {
  const partial = join(dir, PARTIAL_IMAGE_FILE);
  await rm(partial, { force: true });
  const file = await open(partial, 'wx', 0o600);
  try {
    await file.truncate(bytes);
  } finally {
    await file.close();
  }
  try {
    // -m 0: no blocks kept for root, the whole size is the user's. The lazy inits and nodiscard keep
    // mkfs from writing (or punching) the whole file: a fresh sparse image already reads as zeros.
    await proc.run('mkfs.ext4', [
      '-F',
      '-q',
      '-m',
      '0',
      '-E',
      'lazy_itable_init=1,lazy_journal_init=1,nodiscard',
      partial,
    ]);
    await rename(partial, join(dir, IMAGE_FILE));
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
}
