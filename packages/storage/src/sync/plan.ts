import type { Entry, Tree } from './entry.js';
import { parentOf } from './entry.js';
import { sameXattrs } from './xattrs.js';

export interface PlanOptions {
  /** Compare regular files by content hash instead of size and mtime. */
  checksum: boolean;
  /** Remove from DEST what SRC no longer has. */
  delete: boolean;
}

/** One step of a sync, on a path relative to both roots. */
export type Action =
  /** Remove DEST's entry (and what is under it): gone from SRC (`--delete`), or replaced by another type. */
  | { op: 'remove'; path: string; entries: number; replaced: boolean }
  | { op: 'mkdir'; path: string }
  | { op: 'copy'; path: string; size: number }
  | { op: 'symlink'; path: string; target: string }
  /** A FIFO or device node, made anew. */
  | { op: 'special'; path: string }
  /** A hard link to `to`, an entry of the same SRC inode synced earlier in the plan. */
  | { op: 'link'; path: string; to: string }
  /** Content the same; owner, mode, mtime or xattrs to set. */
  | { op: 'meta'; path: string };

export interface Plan {
  actions: Action[];
  unchanged: number;
  /** Sockets: they mean nothing without their process, and are left out (as rsync does without --specials). */
  skipped: string[];
}

/** Content hashes of regular files, by path, for `checksum`. */
export interface Hashes {
  src: Map<string, string>;
  dst: Map<string, string>;
}

/** Two mtimes are the same within a microsecond: Node sets times through a double, which keeps no more. */
export function sameMtime(a: bigint, b: bigint): boolean {
  const d = a - b;
  return d < 1000n && d > -1000n;
}

/** The regular files whose content `checksum` must hash on both sides: same path, both regular, same size. */
export function checksumCandidates(src: Tree, dst: Tree): string[] {
  const out: string[] = [];
  for (const [path, s] of src) {
    const d = dst.get(path);
    if (s.kind === 'file' && d?.kind === 'file' && d.size === s.size) out.push(path);
  }
  return out;
}

/**
 * Hard-link groups of SRC: every path of an inode seen before maps to the first path of that inode (in
 * tree order), which is synced as a file; the others become links to it.
 */
export function linkGroups(src: Tree): { primaryOf: Map<string, string>; size: Map<string, number> } {
  const firstByIno = new Map<bigint, string>();
  const primaryOf = new Map<string, string>();
  const size = new Map<string, number>();
  for (const e of src.values()) {
    if (e.kind !== 'file' || e.nlink < 2) continue;
    const first = firstByIno.get(e.ino);
    if (first === undefined) {
      firstByIno.set(e.ino, e.path);
      size.set(e.path, 1);
    } else {
      primaryOf.set(e.path, first);
      size.set(first, (size.get(first) ?? 0) + 1);
    }
  }
  return { primaryOf, size };
}

function sameMeta(s: Entry, d: Entry, withMtime: boolean): boolean {
  return (
    s.uid === d.uid &&
    s.gid === d.gid &&
    (s.kind === 'symlink' || s.mode === d.mode) &&
    (!withMtime || sameMtime(s.mtimeNs, d.mtimeNs)) &&
    sameXattrs(s.xattrs, d.xattrs)
  );
}

/** How many DEST entries a removal of `path` takes (itself and all under it). */
function subtreeSize(dst: Tree, path: string): number {
  let n = 1;
  for (const p of dst.keys()) if (p.startsWith(`${path}/`)) n++;
  return n;
}

/**
 * What to do to make DEST hold what SRC holds. Pure: it reads the two scans (and hashes, with `checksum`)
 * and changes nothing. The actions come in the order they can run: removals of what SRC lost first, then
 * SRC's tree parents first, each path's replacement removal right before its creation, hard links last
 * (their first path exists by then). The roots' own metadata is the path ''.
 */
export function planSync(
  srcRoot: Entry,
  dstRoot: Entry,
  src: Tree,
  dst: Tree,
  options: PlanOptions,
  hashes: Hashes = { src: new Map(), dst: new Map() },
): Plan {
  const actions: Action[] = [];
  const links: Action[] = [];
  const skipped: string[] = [];
  let unchanged = 0;
  // Paths under a DEST entry that is being replaced: they go with it, whatever they are.
  const replacedDirs: string[] = [];
  const underReplaced = (path: string): boolean => replacedDirs.some((r) => path.startsWith(`${r}/`));

  if (options.delete) {
    for (const [path, d] of dst) {
      if (src.has(path)) continue;
      const parent = parentOf(path);
      if (parent !== '' && !src.has(parent)) continue; // taken with its parent
      if (parent !== '' && src.get(parent)?.kind !== 'dir') continue; // taken by the parent's replacement
      actions.push({
        op: 'remove',
        path,
        entries: d.kind === 'dir' ? subtreeSize(dst, path) : 1,
        replaced: false,
      });
    }
  }
  if (!sameMeta(srcRoot, dstRoot, true)) actions.push({ op: 'meta', path: '' });

  const { primaryOf, size: groupSize } = linkGroups(src);
  const rewritten = new Set<string>();
  for (const [path, s] of src) {
    if (s.kind === 'socket') {
      skipped.push(path);
      continue;
    }
    const d = underReplaced(path) ? undefined : dst.get(path);
    const replace = (): void => {
      if (!d) return;
      actions.push({
        op: 'remove',
        path,
        entries: d.kind === 'dir' ? subtreeSize(dst, path) : 1,
        replaced: true,
      });
      if (d.kind === 'dir') replacedDirs.push(path);
    };
    const primary = primaryOf.get(path);
    if (primary !== undefined) {
      const dPrimary = dst.get(primary);
      const linked =
        d?.kind === 'file' && dPrimary?.kind === 'file' && d.ino === dPrimary.ino && !rewritten.has(primary);
      if (linked) unchanged++;
      else {
        if (d?.kind === 'dir') replace();
        links.push({ op: 'link', path, to: primary });
      }
      continue;
    }
    if (d && d.kind !== s.kind) {
      replace();
      actions.push(create(s));
      if (s.kind === 'file') rewritten.add(path);
      continue;
    }
    if (!d) {
      actions.push(create(s));
      if (s.kind === 'file') rewritten.add(path);
      continue;
    }
    switch (s.kind) {
      case 'dir':
        if (sameMeta(s, d, true)) unchanged++;
        else actions.push({ op: 'meta', path });
        break;
      case 'file': {
        // A DEST file linked more often than its SRC file shares its inode with a path it must not touch.
        const sameContent =
          d.size === s.size &&
          d.nlink <= (groupSize.get(path) ?? 1) &&
          (options.checksum
            ? hashes.src.get(path) !== undefined && hashes.src.get(path) === hashes.dst.get(path)
            : sameMtime(s.mtimeNs, d.mtimeNs));
        if (!sameContent) {
          actions.push({ op: 'copy', path, size: s.size });
          rewritten.add(path);
        } else if (sameMeta(s, d, true)) unchanged++;
        else actions.push({ op: 'meta', path });
        break;
      }
      case 'symlink':
        if (d.target !== s.target) {
          actions.push({ op: 'symlink', path, target: s.target ?? '' });
        } else if (sameMeta(s, d, true)) unchanged++;
        else actions.push({ op: 'meta', path });
        break;
      default:
        // A FIFO or a device: its mode and number are set only when it is made.
        if (s.mode !== d.mode || s.rdev !== d.rdev) actions.push({ op: 'special', path });
        else if (sameMeta(s, d, true)) unchanged++;
        else actions.push({ op: 'meta', path });
    }
  }
  return { actions: [...actions, ...links], unchanged, skipped };
}

function create(s: Entry): Action {
  switch (s.kind) {
    case 'dir':
      return { op: 'mkdir', path: s.path };
    case 'file':
      return { op: 'copy', path: s.path, size: s.size };
    case 'symlink':
      return { op: 'symlink', path: s.path, target: s.target ?? '' };
    default:
      return { op: 'special', path: s.path };
  }
}

/** The counts a user sees. */
export interface SyncSummary {
  /** Entries written: files, new directories, symlinks, hard links, FIFOs and devices. */
  copied: number;
  /** Bytes of regular-file content written. */
  bytes: number;
  /** Entries whose content stayed and whose owner, mode, mtime or xattrs were set. */
  updated: number;
  /** DEST entries removed because SRC no longer has them (`--delete`). */
  deleted: number;
  unchanged: number;
  skipped: number;
}

export function summarize(plan: Plan): SyncSummary {
  const s: SyncSummary = {
    copied: 0,
    bytes: 0,
    updated: 0,
    deleted: 0,
    unchanged: plan.unchanged,
    skipped: plan.skipped.length,
  };
  for (const a of plan.actions) {
    if (a.op === 'remove') {
      if (!a.replaced) s.deleted += a.entries;
    } else if (a.op === 'meta') {
      if (a.path !== '') s.updated++;
    } else {
      s.copied++;
      if (a.op === 'copy') s.bytes += a.size;
    }
  }
  return s;
}
