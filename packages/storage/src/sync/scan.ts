import type { BigIntStats } from 'node:fs';
import { lstat, open, readdir, readlink, stat } from 'node:fs/promises';
import { DIR_FLAGS, fdPath, type HeldTree } from './at.js';
import type { Entry, EntryKind, Tree } from './entry.js';
import { IO_PARALLEL, mapPool } from './pool.js';
import { readTreeXattrs } from './xattrs.js';

/**
 * Every entry under a held tree (the root itself not included), parents before children, names in byte
 * order. Directories are entered through held fds with O_NOFOLLOW, so a symlink is recorded as a link and
 * never walked through.
 */
export async function scanTree(tree: HeldTree): Promise<{ root: Entry; entries: Tree }> {
  const [entries, xattrs] = await Promise.all([walk(tree.fd), readTreeXattrs(tree.fd)]);
  for (const [path, attrs] of xattrs) {
    const e = entries.get(path);
    if (e) e.xattrs = attrs;
  }
  const root = toEntry('', await stat(fdPath(tree.fd), { bigint: true }));
  const rootAttrs = xattrs.get('');
  if (rootAttrs) root.xattrs = rootAttrs;
  return { root, entries };
}

async function walk(rootFd: number): Promise<Tree> {
  const out: Tree = new Map();
  async function visit(dirFd: number, prefix: string): Promise<void> {
    const names = (await readdir(fdPath(dirFd))).sort(byBytes);
    const entries = await mapPool(names, IO_PARALLEL, async (name) => {
      const entry = toEntry(
        prefix ? `${prefix}/${name}` : name,
        await lstat(fdPath(dirFd, name), { bigint: true }),
      );
      if (entry.kind === 'symlink') entry.target = await readlink(fdPath(dirFd, name));
      return entry;
    });
    for (const [i, entry] of entries.entries()) {
      const name = names[i] as string;
      const path = entry.path;
      out.set(path, entry);
      if (entry.kind !== 'dir') continue;
      const child = await open(fdPath(dirFd, name), DIR_FLAGS);
      try {
        await visit(child.fd, path);
      } finally {
        await child.close();
      }
    }
  }
  await visit(rootFd, '');
  return out;
}

export function byBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function kindOf(st: BigIntStats): EntryKind {
  if (st.isDirectory()) return 'dir';
  if (st.isFile()) return 'file';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFIFO()) return 'fifo';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  return 'socket';
}

function toEntry(path: string, st: BigIntStats): Entry {
  return {
    path,
    kind: kindOf(st),
    mode: Number(st.mode & 0o7777n),
    uid: Number(st.uid),
    gid: Number(st.gid),
    size: Number(st.size),
    mtimeNs: st.mtimeNs,
    ino: st.ino,
    nlink: Number(st.nlink),
    rdev: Number(st.rdev),
  };
}
