import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, readdirSync, readlinkSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from './run.js';

/** One path of a tree as a test compares it: everything a backup must keep, nothing it may change. */
export interface TreeEntry {
  type: 'file' | 'dir' | 'symlink' | 'fifo' | 'socket' | 'char' | 'block';
  mode: string;
  uid: number;
  gid: number;
  size?: number;
  /** Nanoseconds, as a string (symlinks excluded: their own time is not what a user keeps). */
  mtime?: string;
  sha256?: string;
  target?: string;
  xattrs?: Record<string, string>;
  /** For a file with more than one link: the first path (by name) of its hard-link group. */
  linkGroup?: string;
}

function typeOf(st: BigIntStats): TreeEntry['type'] {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFIFO()) return 'fifo';
  if (st.isSocket()) return 'socket';
  if (st.isCharacterDevice()) return 'char';
  return 'block';
}

/** Every xattr (all namespaces root sees) of every path under `root`, not following symlinks. */
async function xattrsUnder(root: string): Promise<Map<string, Record<string, string>>> {
  const res = await runCommand('getfattr', [
    '-R',
    '-P',
    '-h',
    '-d',
    '-m',
    '-',
    '-e',
    'hex',
    '--absolute-names',
    root,
  ]);
  if (res.code !== 0 && res.stdout === '') throw new Error(`getfattr failed: ${res.stderr}`);
  const out = new Map<string, Record<string, string>>();
  let current: Record<string, string> | undefined;
  for (const line of res.stdout.split('\n')) {
    if (line.startsWith('# file: ')) {
      const path = line.slice('# file: '.length);
      current = {};
      out.set(path === root ? '.' : path.slice(root.length + 1), current);
    } else if (current && line.includes('=')) {
      const eq = line.indexOf('=');
      current[line.slice(0, eq)] = line.slice(eq + 1);
    }
  }
  return out;
}

/**
 * A manifest of a tree: type, mode, owner, size, mtime (ns), sha256, link target, xattrs and hard-link
 * groups of every path, keyed by its path relative to `root` (`.` for the root itself).
 */
export async function treeManifest(root: string): Promise<Record<string, TreeEntry>> {
  const paths = ['.'];
  const stats = new Map<string, BigIntStats>();
  for (let i = 0; i < paths.length; i++) {
    const rel = paths[i] as string;
    const st = lstatSync(join(root, rel), { bigint: true });
    stats.set(rel, st);
    if (st.isDirectory()) {
      for (const name of readdirSync(join(root, rel)).sort())
        paths.push(rel === '.' ? name : `${rel}/${name}`);
    }
  }
  const groups = new Map<bigint, string[]>();
  for (const [rel, st] of stats) {
    if (!st.isDirectory() && st.nlink > 1n) groups.set(st.ino, [...(groups.get(st.ino) ?? []), rel]);
  }
  const xattrs = await xattrsUnder(root);
  const out: Record<string, TreeEntry> = {};
  for (const [rel, st] of stats) {
    const type = typeOf(st);
    const entry: TreeEntry = {
      type,
      mode: (st.mode & 0o7777n).toString(8),
      uid: Number(st.uid),
      gid: Number(st.gid),
    };
    if (type !== 'symlink') entry.mtime = st.mtimeNs.toString();
    if (type === 'file') {
      entry.size = Number(st.size);
      entry.sha256 = createHash('sha256')
        .update(readFileSync(join(root, rel)))
        .digest('hex');
    }
    if (type === 'symlink') entry.target = readlinkSync(join(root, rel));
    const x = xattrs.get(rel);
    if (x && Object.keys(x).length > 0) entry.xattrs = x;
    const group = groups.get(st.ino);
    if (group && type !== 'dir') entry.linkGroup = [...group].sort()[0];
    out[rel] = entry;
  }
  return out;
}
