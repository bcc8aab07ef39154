import { constants, type Stats } from 'node:fs';
import {
  lchown,
  link,
  lstat,
  lutimes,
  mkdir,
  open,
  readdir,
  rename,
  rmdir,
  symlink,
  unlink,
} from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { PolisError, proc } from '@polis/core';
import { DIR_FLAGS, childFdPath, fdPath, type HeldTree } from './at.js';
import type { Entry, Tree } from './entry.js';
import type { Action, Plan } from './plan.js';
import { IO_PARALLEL, mapPool } from './pool.js';
import { applyXattrs, sameXattrs } from './xattrs.js';

/** O_NONBLOCK: a FIFO swapped in for a file must not hang the open. */
export const FILE_READ = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
const NEW_FILE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
const CHUNK = 256 * 1024;

/** Where sync is working: the two held trees and the scans the plan was made from. */
export interface SyncTrees {
  src: HeldTree;
  dst: HeldTree;
  srcRoot: Entry;
  srcEntries: Tree;
  dstEntries: Tree;
}

/**
 * Runs a plan. Every new entry is made under a temporary name in its held DEST directory and renamed over
 * the old one, so an interrupted sync leaves each path either old or new (and breaks, rather than writes
 * through, a DEST hard link). Directories get their owner, mode and times last, deepest first, since
 * writing into them changes their mtime.
 */
export async function applyPlan(plan: Plan, t: SyncTrees): Promise<void> {
  const made = new Set<string>();
  // What SRC lost first; these are topmost paths, independent of each other.
  const deletions = plan.actions.filter((a) => a.op === 'remove' && !a.replaced);
  await mapPool(deletions, IO_PARALLEL, (a) => applyOne(a, t));
  // Then each path's own steps in order (a replacement's removal, then the new entry), a level of the
  // tree at a time so that parents exist before their children; hard links last, once their first exists.
  const byPath = new Map<string, Action[]>();
  const links: Action[] = [];
  for (const a of plan.actions) {
    if (a.op === 'remove' && !a.replaced) continue;
    if (a.op === 'link') links.push(a);
    else byPath.set(a.path, [...(byPath.get(a.path) ?? []), a]);
  }
  for (const level of byDepth([...byPath.keys()])) {
    await mapPool(level, IO_PARALLEL, async (path) => {
      for (const a of byPath.get(path) ?? []) {
        await applyOne(a, t);
        if (a.op === 'mkdir') made.add(path);
      }
    });
  }
  await mapPool(links, IO_PARALLEL, (a) => applyOne(a, t));
  const metaDirs = new Set(plan.actions.filter((a) => a.op === 'meta').map((a) => a.path));
  const dirs = [...t.srcEntries.values()].filter((e) => e.kind === 'dir');
  const dirByPath = new Map([...dirs, t.srcRoot].map((e) => [e.path, e]));
  for (const level of byDepth([...dirByPath.keys()]).reverse()) {
    await mapPool(level, IO_PARALLEL, (path) =>
      finishDir(t, dirByPath.get(path) as Entry, made.has(path), metaDirs.has(path)),
    );
  }
}

/** Paths grouped by depth ('' is 0, 'a' is 1, 'a/b' is 2), shallowest first. */
function byDepth(paths: string[]): string[][] {
  const levels: string[][] = [];
  for (const path of paths) {
    const depth = path === '' ? 0 : path.split('/').length;
    (levels[depth] ??= []).push(path);
  }
  return levels.filter((l) => l !== undefined);
}

/** A directory's owner, mode, xattrs (when new or flagged) and times, after everything in it is written. */
async function finishDir(t: SyncTrees, s: Entry, fresh: boolean, flagged: boolean): Promise<void> {
  await t.dst.inDir(s.path, async (fd) => {
    // Our own held fd: its magic link is followed on purpose (O_NOFOLLOW would refuse it).
    const handle = await open(fdPath(fd), constants.O_RDONLY | constants.O_DIRECTORY);
    try {
      const st = await handle.stat();
      if (st.uid !== s.uid || st.gid !== s.gid) await handle.chown(s.uid, s.gid);
      if ((st.mode & 0o7777) !== s.mode) await handle.chmod(s.mode);
      if (fresh || flagged) await applyXattrsFd(handle.fd, s, fresh ? undefined : t.dstEntries.get(s.path));
      await handle.utimes(time(s), time(s));
    } finally {
      await handle.close();
    }
  });
}

async function applyOne(a: Action, t: SyncTrees): Promise<void> {
  const s = t.srcEntries.get(a.path);
  switch (a.op) {
    case 'remove':
      return t.dst.inParent(a.path, (fd, name) => removeAt(fd, name));
    case 'mkdir':
      return t.dst.inParent(a.path, async (fd, name) => {
        await mkdir(fdPath(fd, name), { mode: 0o700 });
      });
    case 'meta':
      if (a.path === '') return; // the roots: with the directories, at the end
      return t.dst.inParent(a.path, (fd, name) => setMeta(fd, name, must(s), t.dstEntries.get(a.path)));
    case 'link':
      return t.dst.inParent(a.to, (fromFd, fromName) =>
        t.dst.inParent(a.path, (fd, name) =>
          replaceWith(fd, name, (tmp) => link(fdPath(fromFd, fromName), fdPath(fd, tmp))),
        ),
      );
    case 'copy':
      return t.src.inParent(a.path, (srcFd, srcName) =>
        t.dst.inParent(a.path, (fd, name) => copyFile(srcFd, srcName, fd, name, must(s))),
      );
    case 'symlink':
      return t.dst.inParent(a.path, (fd, name) =>
        replaceWith(fd, name, async (tmp) => {
          await symlink(a.target, fdPath(fd, tmp));
          await setLinkMeta(fd, tmp, must(s));
        }),
      );
    case 'special':
      return t.dst.inParent(a.path, (fd, name) =>
        replaceWith(fd, name, async (tmp) => {
          await makeSpecial(fd, tmp, must(s));
          await setLinkMeta(fd, tmp, must(s));
        }),
      );
  }
}

function must(e: Entry | undefined): Entry {
  if (!e) throw new PolisError('internal', 'sync plan names a path its scan lacks');
  return e;
}

/**
 * Node takes times as a double of seconds and keeps whole microseconds; half a microsecond added makes
 * its truncation land on the source's microsecond (a double near 1.7e9 s is off by up to ~0.2 µs).
 */
function time(e: Entry): number {
  return Number(e.mtimeNs / 1000n) / 1e6 + 5e-7;
}

/** Makes the entry under a fresh temporary name, then renames it over `name` (removed on failure). */
async function replaceWith(fd: number, name: string, make: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = `.polis-sync-${randomBytes(6).toString('hex')}`;
  try {
    await make(tmp);
    await rename(fdPath(fd, tmp), fdPath(fd, name));
  } catch (err) {
    await unlink(fdPath(fd, tmp)).catch(() => undefined);
    throw err;
  }
}

async function copyFile(srcFd: number, srcName: string, fd: number, name: string, s: Entry): Promise<void> {
  const input = await open(fdPath(srcFd, srcName), FILE_READ);
  try {
    if (!(await input.stat()).isFile()) throw changed(s.path);
    await replaceWith(fd, name, async (tmp) => {
      const out = await open(fdPath(fd, tmp), NEW_FILE, 0o600);
      try {
        const buf = Buffer.allocUnsafe(CHUNK);
        for (;;) {
          const { bytesRead } = await input.read(buf, 0, CHUNK, null);
          if (bytesRead === 0) break;
          let off = 0;
          while (off < bytesRead) off += (await out.write(buf, off, bytesRead - off)).bytesWritten;
        }
        // Owner before mode: chown clears setuid/setgid bits and file capabilities.
        await out.chown(s.uid, s.gid);
        await out.chmod(s.mode);
        await applyXattrsFd(out.fd, s, undefined);
        await out.utimes(time(s), time(s));
      } finally {
        await out.close();
      }
    });
  } finally {
    await input.close();
  }
}

/** Xattrs through an fd we hold (a file or directory): setfattr is given `/proc/<pid>/fd/<fd>`. */
async function applyXattrsFd(fd: number, s: Entry, have: Entry | undefined): Promise<void> {
  if (sameXattrs(s.xattrs, have?.xattrs)) return;
  // The fd's own link, followed: it is our open file, wherever a container may have moved its name.
  const path = `/proc/${process.pid}/fd/${fd}`;
  for (const key of Object.keys(have?.xattrs ?? {})) {
    if (!(key in (s.xattrs ?? {}))) await proc.run('setfattr', ['-x', key, path]);
  }
  for (const [key, value] of Object.entries(s.xattrs ?? {})) {
    if (have?.xattrs?.[key] === value) continue;
    await proc.run('setfattr', ['-n', key, '-v', value === '' ? '""' : `0x${value}`, path]);
  }
}

/** Owner, times and xattrs of an entry that cannot be opened safely (a symlink, FIFO or device). */
async function setLinkMeta(fd: number, name: string, s: Entry, have?: Entry): Promise<void> {
  await lchown(fdPath(fd, name), s.uid, s.gid);
  if (!sameXattrs(s.xattrs, have?.xattrs)) await applyXattrs(fd, name, s.xattrs, have?.xattrs);
  await lutimes(fdPath(fd, name), time(s), time(s));
}

async function setMeta(fd: number, name: string, s: Entry, have: Entry | undefined): Promise<void> {
  const st = await lstat(fdPath(fd, name));
  if (kindOfStats(st) !== s.kind) throw changed(s.path);
  if (s.kind !== 'file' && s.kind !== 'dir') return setLinkMeta(fd, name, s, have);
  const handle = await open(fdPath(fd, name), s.kind === 'dir' ? DIR_FLAGS : FILE_READ);
  try {
    await handle.chown(s.uid, s.gid);
    await handle.chmod(s.mode);
    await applyXattrsFd(handle.fd, s, have);
    if (s.kind === 'file') await handle.utimes(time(s), time(s));
  } finally {
    await handle.close();
  }
}

function kindOfStats(st: Stats): string {
  if (st.isDirectory()) return 'dir';
  if (st.isFile()) return 'file';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFIFO()) return 'fifo';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  return 'socket';
}

async function makeSpecial(fd: number, name: string, s: Entry): Promise<void> {
  const path = childFdPath(fd, name);
  const mode = (s.mode & 0o7777).toString(8);
  if (s.kind === 'fifo') {
    await proc.run('mkfifo', ['-m', mode, path]);
    return;
  }
  // Linux's encoding of dev_t (major in bits 8-19 and 32+, minor in bits 0-7 and 20+).
  const major = ((s.rdev >>> 8) & 0xfff) | (Math.floor(s.rdev / 2 ** 32) & ~0xfff);
  const minor = (s.rdev & 0xff) | ((s.rdev >>> 12) & ~0xff);
  await proc.run('mknod', ['-m', mode, path, s.kind === 'char' ? 'c' : 'b', String(major), String(minor)]);
}

/** Removes `name` and all under it through held fds, never following a link (as the archive code does). */
export async function removeAt(fd: number, name: string): Promise<void> {
  const st = await lstat(fdPath(fd, name));
  if (!st.isDirectory()) {
    await unlink(fdPath(fd, name));
    return;
  }
  const dir = await open(fdPath(fd, name), DIR_FLAGS);
  try {
    for (const child of await readdir(fdPath(dir.fd))) await removeAt(dir.fd, child);
  } finally {
    await dir.close();
  }
  await rmdir(fdPath(fd, name));
}

function changed(path: string): PolisError {
  return new PolisError('volume.busy', `${path} changed type while it was synced; run the sync again`, {
    context: { path },
  });
}
