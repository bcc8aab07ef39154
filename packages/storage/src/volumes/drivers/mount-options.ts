import { proc } from '@polis/core';
import { mountArgs, type LocalMountOptions } from '../local-options.js';
import { isMountPoint, unmountIfMounted } from '../mounts.js';
import type { VolumeDriver } from './types.js';
import { removeVolumeDir } from './remove-dir.js';

/** Docker's `type`/`device`/`o` options: whatever mount(8) makes of them (a tmpfs, a bind), on `_data`. */
export function mountOptionsDriver(opts: LocalMountOptions): VolumeDriver {
  return {
    mounts: true,
    path: (v) => v.mountpoint,
    async mount(v) {
      if (await isMountPoint(v.mountpoint)) return;
      await proc.run('mount', mountArgs(opts, v.mountpoint));
    },
    unmount: (v) => unmountIfMounted(v.mountpoint),
    remove: removeVolumeDir,
  };
}
