import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { proc } from '@polis/core';
import type { VolumeDriver } from '../volumes/drivers/types.js';
import type { VolumeRecord } from '../volumes/types.js';

/**
 * A restored size-limited volume keeps its data in its ext4 image, not in the directory under it: the
 * checked tree is moved from the staging `_data` into the image, mounted there for the copy (the size
 * applies: a backup larger than the volume fails with ENOSPC). The staging directory holds the image,
 * so the rename into place takes it along, and a crash leaves only staging for `init` to sweep.
 */
export async function moveIntoImage(
  driver: VolumeDriver,
  staging: string,
  volume: VolumeRecord,
): Promise<void> {
  const data = join(staging, '_data');
  const restored = join(staging, '.restored');
  await rename(data, restored);
  await mkdir(data, { mode: 0o755 });
  const temp: VolumeRecord = { ...volume, mountpoint: data };
  await driver.mount(temp);
  try {
    // `/.` copies the root's own mode, owner and xattrs onto the mounted root as well.
    await proc.run('cp', ['-a', '--', `${restored}/.`, data]);
  } finally {
    await driver.unmount(temp);
  }
  await rm(restored, { recursive: true, force: true });
}
