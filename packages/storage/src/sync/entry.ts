/** What sync knows of one entry of a tree, by its path relative to the tree's root ('a/b'). */
export interface Entry {
  path: string;
  kind: EntryKind;
  /** Permission bits with setuid, setgid and sticky (07777). */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtimeNs: bigint;
  ino: bigint;
  nlink: number;
  /** Device number of a character or block device. */
  rdev: number;
  /** A symlink's target, as stored. */
  target?: string;
  /** Extended attributes, name → value in hex; absent when there are none. */
  xattrs?: Record<string, string>;
}

export type EntryKind = 'dir' | 'file' | 'symlink' | 'fifo' | 'char' | 'block' | 'socket';

/** A tree as scanned: entries by path, parents before children. */
export type Tree = Map<string, Entry>;

export function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}
