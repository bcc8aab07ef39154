import { chown, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PolisError, proc } from '@polis/core';
import type { RootfsLayout } from '../types.js';
import { isMounted } from './mountinfo.js';

/** Overlay takes its options in one page, including the mount's other options. */
const OPTIONS_MAX = 4096;

export interface OverlayLowers {
  /** Directory the lower entries are relative to (the mount runs with it as cwd). */
  base: string;
  /** lowerdir entries relative to `base`, top layer first. */
  relative: string[];
  /** The same layers as absolute paths, top first, for the returned layout. */
  absolute: string[];
}

export function rootfsLayout(containerDir: string, lowerDirs: string[]): RootfsLayout {
  return {
    lowerDirs,
    upperDir: join(containerDir, 'upper'),
    workDir: join(containerDir, 'work'),
    target: join(containerDir, 'rootfs'),
  };
}

/** Mounts `<containerDir>/rootfs` as overlay of the lowers plus the container's upper and work dirs. */
export async function mountOverlay(
  containerDir: string,
  lowers: OverlayLowers,
  owner?: { uid: number; gid: number },
): Promise<RootfsLayout> {
  const layout = rootfsLayout(containerDir, lowers.absolute);
  const made = await Promise.all(
    [layout.upperDir, layout.workDir, layout.target].map((dir) =>
      mkdir(dir, { recursive: true, mode: 0o755 }),
    ),
  );
  // The upper dir's root is the rootfs's `/`: under a user namespace it must be the mapped root's.
  if (owner) await chown(layout.upperDir, owner.uid, owner.gid);
  // A mount point made just now holds no mount; an older one may (a crash before the bookkeeping).
  if (made[2] === undefined && (await isMounted(layout.target))) return layout;
  const options = `lowerdir=${lowers.relative.join(':')},upperdir=${layout.upperDir},workdir=${layout.workDir}`;
  if (options.length >= OPTIONS_MAX) {
    throw new PolisError('mount.failed', `overlay options too long (${lowers.relative.length} layers)`, {
      context: { target: layout.target, layers: lowers.relative.length },
    });
  }
  try {
    await proc.mount('overlay', 'overlay', layout.target, options, { cwd: lowers.base });
  } catch (err) {
    throw new PolisError('mount.failed', `cannot mount rootfs at ${layout.target}`, {
      cause: err,
      context: { target: layout.target },
    });
  }
  return layout;
}

/** Unmounts `<containerDir>/rootfs`; lazily when busy. Nothing to do when it is not mounted. */
export async function unmountOverlay(containerDir: string): Promise<void> {
  const target = join(containerDir, 'rootfs');
  // Loop: a target can carry stacked mounts after a crash between mount and bookkeeping.
  for (let i = 0; i < 8 && (await isMounted(target)); i++) {
    try {
      await proc.umount(target);
    } catch (err) {
      try {
        await proc.umount(target, { lazy: true });
      } catch (lazyErr) {
        if (!(await isMounted(target))) return;
        throw new PolisError('mount.failed', `cannot unmount ${target}`, {
          cause: lazyErr,
          context: { target, first: err instanceof Error ? err.message : String(err) },
        });
      }
    }
  }
}
