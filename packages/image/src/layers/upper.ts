import type { Stats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { proc } from '@polis/core';
import { OVERLAY_OPAQUE_XATTR } from './whiteout.js';

/**
 * The value, or undefined when the path vanished meanwhile (a running container's upper dir changes
 * under a diff or an unpaused commit; what is gone is simply not there).
 */
export function ifPresent<T>(pending: Promise<T>): Promise<T | undefined> {
  return pending.catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return undefined;
    throw err;
  });
}

/** Overlayfs records a deletion in the upper dir as a 0:0 character device under the deleted name. */
export function isOverlayWhiteout(st: Stats): boolean {
  return st.isCharacterDevice() && st.rdev === 0;
}

/**
 * The directories (relative to `root`, '' for the root itself) carrying `trusted.overlay.opaque=y`:
 * they hide everything below them in the lower layers. Node reads no xattrs, so one `getfattr` walks
 * the tree; `-P` keeps it from following symlinks.
 */
export async function opaqueDirs(root: string): Promise<Set<string>> {
  const { stdout } = await proc.run('getfattr', [
    '-R',
    '-P',
    '--absolute-names',
    '-d',
    '-e',
    'text',
    '-m',
    `^${OVERLAY_OPAQUE_XATTR.replaceAll('.', '\\.')}$`,
    '--',
    root,
  ]);
  const out = new Set<string>();
  let file: string | undefined;
  for (const line of stdout.split('\n')) {
    if (line.startsWith('# file: ')) file = unescapeName(line.slice('# file: '.length));
    else if (file !== undefined && line === `${OVERLAY_OPAQUE_XATTR}="y"`) out.add(relative(root, file));
  }
  return out;
}

/** getfattr writes bytes outside printable ASCII, and the backslash, as `\ooo`. */
function unescapeName(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const m = /^\\([0-7]{3})/.exec(text.slice(i, i + 4));
    if (m) {
      bytes.push(parseInt(m[1] as string, 8));
      i += 3;
    } else {
      bytes.push(...Buffer.from(text.charAt(i), 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * lstat of `rel` inside `root` that never goes through a symlink: every parent component must be a
 * real directory of this tree (an image layer may hold `etc -> /etc`, which must not reach the host).
 */
export async function lstatInside(root: string, rel: string): Promise<Stats | undefined> {
  const parts = rel.split('/').filter((p) => p !== '');
  let path = root;
  for (const [i, part] of parts.entries()) {
    path = join(path, part);
    const st = await lstat(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return undefined;
      throw err;
    });
    if (st === undefined) return undefined;
    if (i === parts.length - 1) return st;
    if (!st.isDirectory()) return undefined;
  }
  return undefined;
}

/** Directory entries sorted by name as Go's filepath.Walk sorts them (byte order). */
export function byName(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * Where the runtime mounts over the root (Docker's init layer: /proc, /sys, /dev, the /etc files it
 * binds, …). Docker keeps their stubs in a layer of their own, so they never show in a diff or a
 * commit; here the runtime creates the missing ones in the upper dir, so they are left out by name.
 */
const MOUNTPOINT_STUBS = new Set([
  '.dockerenv',
  'dev',
  'dev/console',
  'dev/pts',
  'dev/shm',
  'etc/hostname',
  'etc/hosts',
  'etc/mtab',
  'etc/resolv.conf',
  'proc',
  'sys',
]);

/** An empty file or directory the runtime made as a mount point, where the image has nothing. */
export async function isMountpointStub(
  upperDir: string,
  rel: string,
  st: Stats,
  lowerDirs: readonly string[],
): Promise<boolean> {
  if (!MOUNTPOINT_STUBS.has(rel)) return false;
  if (st.isDirectory()) {
    if ((await readdir(join(upperDir, rel))).length > 0) return false;
  } else if (!st.isFile() || st.size !== 0) {
    return false;
  }
  for (const dir of lowerDirs) {
    const below = await lstatInside(dir, rel);
    if (below !== undefined) return isOverlayWhiteout(below);
  }
  return true;
}
