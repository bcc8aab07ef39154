import type { VolumeDriver } from './types.js';
import { removeVolumeDir } from './remove-dir.js';

/** A volume that is just its `_data` directory. */
export const plainDriver: VolumeDriver = {
  mounts: false,
  path: (v) => v.mountpoint,
  mount: async () => undefined,
  unmount: async () => undefined,
  remove: removeVolumeDir,
};
