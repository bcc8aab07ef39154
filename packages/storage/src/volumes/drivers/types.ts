import type { VolumeRecord } from '../types.js';

/**
 * How one kind of volume keeps its data. The manager decides when (first running user, last one gone,
 * removal, boot); a driver only does it. `mount` and `unmount` are idempotent, so a crash between any two
 * steps is repaired by calling them again.
 */
export interface VolumeDriver {
  /** False for a plain directory: nothing is mounted, so nothing needs counting or reconciling. */
  readonly mounts: boolean;
  /** The host path containers bind (`<data-root>/volumes/<name>/_data`). */
  path(volume: VolumeRecord): string;
  /** Makes the volume's data reachable at `path`. */
  mount(volume: VolumeRecord): Promise<void>;
  /** Undoes `mount`; a volume not mounted is left as it is. */
  unmount(volume: VolumeRecord): Promise<void>;
  /** Deletes a volume's directory, once unmounted (it may have been moved aside to `dir` first). */
  remove(dir: string): Promise<void>;
}
