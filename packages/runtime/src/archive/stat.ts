import type { Stats } from 'node:fs';
import { posix } from 'node:path';
import type { ContainerPathStat } from '../types.js';
import type { ConfinedRoot, Resolved } from './confined.js';
import { notFound } from './confined.js';

// Go's os.FileMode type bits (io/fs): written as powers, since 1 << 31 is negative in JavaScript.
const GO_MODE = {
  dir: 2 ** 31,
  symlink: 2 ** 27,
  device: 2 ** 26,
  namedPipe: 2 ** 25,
  socket: 2 ** 24,
  setuid: 2 ** 23,
  setgid: 2 ** 22,
  charDevice: 2 ** 21,
  sticky: 2 ** 20,
} as const;

/** The Go `os.FileMode` of an lstat result, as Docker reports it. */
export function goFileMode(st: Pick<Stats, 'mode'>): number {
  const mode = st.mode;
  let out = mode & 0o777;
  switch (mode & 0o170000) {
    case 0o040000:
      out += GO_MODE.dir;
      break;
    case 0o120000:
      out += GO_MODE.symlink;
      break;
    case 0o060000:
      out += GO_MODE.device;
      break;
    case 0o020000:
      out += GO_MODE.device + GO_MODE.charDevice;
      break;
    case 0o010000:
      out += GO_MODE.namedPipe;
      break;
    case 0o140000:
      out += GO_MODE.socket;
      break;
    default:
      break;
  }
  if (mode & 0o4000) out += GO_MODE.setuid;
  if (mode & 0o2000) out += GO_MODE.setgid;
  if (mode & 0o1000) out += GO_MODE.sticky;
  return out;
}

/** `path` as Docker takes it: absolute in the container, keeping a trailing `/` or `/.`. */
export function absoluteContainerPath(path: string): string {
  const abs = posix.join('/', path);
  return path.endsWith('/.') && abs !== '/' ? `${abs.replace(/\/+$/, '')}/.` : abs;
}

/** A trailing `/` or `/.` asks for what a final symlink points at (Docker's `ResolvePath`). */
export function followsLast(abs: string): boolean {
  return abs.endsWith('/') || abs.endsWith('/.');
}

/** Go's `filepath.Base`: the last element after trailing slashes go (`.` for `/x/.`), `/` for the root. */
export function baseName(abs: string): string {
  const trimmed = abs.replace(/\/+$/, '');
  if (trimmed === '') return '/';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/**
 * Resolves `path` for reading as Docker does (all but a final symlink followed in the container's scope)
 * and returns where it is with its stat. A missing path is `archive.path_not_found`.
 */
export async function statContainerPath(
  root: ConfinedRoot,
  path: string,
): Promise<{ resolved: Resolved; stat: ContainerPathStat }> {
  const abs = absoluteContainerPath(path);
  const resolved = await root.resolve(abs, { followLast: followsLast(abs) });
  if (!resolved.stat) {
    await root.done(resolved);
    throw notFound(abs);
  }
  let linkTarget = '';
  if (resolved.stat.isSymbolicLink()) {
    // Fully evaluated in the container's scope; a dangling link still names where it points.
    linkTarget = await root
      .resolve(abs, { followLast: true })
      .then(async (r) => {
        await root.done(r);
        return r.path;
      })
      .catch(() => '');
  }
  return {
    resolved,
    stat: {
      name: baseName(abs),
      size: resolved.stat.size,
      mode: goFileMode(resolved.stat),
      mtime: resolved.stat.mtime.toISOString(),
      linkTarget,
    },
  };
}
