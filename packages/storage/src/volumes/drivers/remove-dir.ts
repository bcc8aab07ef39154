import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { detachLoopsOf } from '../loops.js';
import { IMAGE_FILE } from './image-files.js';

/**
 * Deletes a volume directory. A loop device still backed by its image is detached first: deleting the
 * file alone would leave the device (and the file's blocks) held until reboot.
 */
export async function removeVolumeDir(dir: string): Promise<void> {
  const image = join(dir, IMAGE_FILE);
  if (existsSync(image)) await detachLoopsOf(image);
  await rm(dir, { recursive: true, force: true });
}
