import { posix } from 'node:path';

/** One side of `cp`: a container path (`CONTAINER:PATH`) or a local one. */
export interface CpArg {
  container?: string;
  path: string;
}

/** docker's `splitCpArg`: an absolute path, or one before whose `:` comes a `.`-led name, is local. */
export function splitCpArg(arg: string): CpArg {
  if (arg.startsWith('/')) return { path: arg };
  const colon = arg.indexOf(':');
  if (colon < 0 || arg.startsWith('.')) return { path: arg };
  return { container: arg.slice(0, colon), path: arg.slice(colon + 1) };
}

/** docker's `SplitPathDirEntry`: `/a/b/` → [`/a`, `b`]; `/a/b/.` → [`/a/b`, `.`]. */
export function splitPathDirEntry(path: string): [string, string] {
  let cleaned = posix.normalize(path);
  if (cleaned.length > 1 && cleaned.endsWith('/')) cleaned = cleaned.slice(0, -1);
  if (path === '.' || path.endsWith('/.')) cleaned = `${cleaned === '/' ? '' : cleaned}/.`;
  if (cleaned === '/') return ['/', '/'];
  const slash = cleaned.lastIndexOf('/');
  return [slash <= 0 ? (slash === 0 ? '/' : '.') : cleaned.slice(0, slash), cleaned.slice(slash + 1)];
}

/** A trailing `/` or `/.` says the path must be a directory. */
export function assertsDirectory(path: string): boolean {
  return path.endsWith('/') || path.endsWith('/.');
}

export interface CopyInfo {
  path: string;
  exists: boolean;
  isDir: boolean;
}

/** How a source archive lands at a destination: docker's `PrepareArchiveCopy`. */
export type CopyPlan = { dir: string; rename?: [string, string] } | { error: string };

export function prepareCopy(src: { isDir: boolean; base: string }, dst: CopyInfo): CopyPlan {
  const [dstDir, dstBase] = splitPathDirEntry(dst.path);
  if (dst.exists && dst.isDir) return { dir: dst.path };
  if (dst.exists && src.isDir) return { error: 'cannot copy directory' };
  if (!dst.exists && !src.isDir && assertsDirectory(dst.path)) return { error: 'no such directory' };
  return { dir: dstDir, rename: [src.base, dstBase] };
}

/** GNU tar's `--transform` renaming the first component `from` to `to` (names and hard links, not symlink targets). */
export function renameTransform(from: string, to: string): string {
  const pattern = from.replace(/[\\^$.*[\]|/]/g, (c) => `\\${c}`);
  const replacement = to.replace(/[\\&|]/g, (c) => `\\${c}`);
  return `s|^${pattern}\\(/\\|$\\)|${replacement}\\1|S`;
}
