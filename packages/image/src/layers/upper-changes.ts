import type { BigIntStats, Stats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { byName, ifPresent, isMountpointStub, isOverlayWhiteout, lstatInside, opaqueDirs } from './upper.js';

/** Docker's change kinds (`GET /containers/{id}/changes`). */
export const ChangeKind = { Modified: 0, Added: 1, Deleted: 2 } as const;
export type ChangeKind = (typeof ChangeKind)[keyof typeof ChangeKind];

export interface FsChange {
  /** Absolute path inside the container. */
  path: string;
  kind: ChangeKind;
}

/** What a lower layer holds at a path: nothing, a whiteout that hides what is below, or an entry. */
async function lowerEntry(lowerDirs: readonly string[], rel: string): Promise<Stats | undefined> {
  for (const dir of lowerDirs) {
    const st = await lstatInside(dir, rel);
    if (st === undefined) continue;
    if (isOverlayWhiteout(st)) return undefined;
    return st;
  }
  return undefined;
}

async function bigStat(path: string): Promise<BigIntStats> {
  return lstat(path, { bigint: true });
}

/** Go's sameFsTime: equal, or equal seconds where one side lacks nanoseconds. */
function sameTime(a: bigint, b: bigint): boolean {
  const second = 1_000_000_000n;
  return a === b || (a / second === b / second && (a % second === 0n || b % second === 0n));
}

/** Names a lower layer has directly under `rel` (top layer first, whiteouts hide lower names). */
async function lowerNames(lowerDirs: readonly string[], rel: string): Promise<Set<string>> {
  const names = new Set<string>();
  const hidden = new Set<string>();
  for (const dir of lowerDirs) {
    const st = await lstatInside(dir, rel);
    if (st === undefined || !st.isDirectory()) continue;
    for (const entry of await readdir(join(dir, rel), { withFileTypes: true })) {
      if (hidden.has(entry.name) || names.has(entry.name)) continue;
      if (entry.isCharacterDevice() && isOverlayWhiteout(await lstat(join(dir, rel, entry.name)))) {
        hidden.add(entry.name);
      } else {
        names.add(entry.name);
      }
    }
  }
  return names;
}

/**
 * The changes a container made, from its overlay upper dir against the image's layer dirs (top
 * first), in Docker's order and with Docker's rules (moby pkg/archive `changes`): a whiteout is a
 * deletion; an entry the lower layers have is a modification, else an addition; a directory that only
 * exists because something below it changed, with the same size, mode and mtime as below, is not
 * itself a change, but the parent of an added or deleted entry shows as modified. An opaque
 * directory replaced the one below: what the lower one held and the new one lacks is deleted.
 * Mount point stubs the runtime made are left out (Docker keeps them in its init layer). Nothing is
 * followed through a symlink.
 */
export async function upperChanges(upperDir: string, lowerDirs: readonly string[]): Promise<FsChange[]> {
  const root = await lstat(upperDir).catch(() => undefined);
  if (root === undefined || !root.isDirectory()) return [];
  const opaque = await opaqueDirs(upperDir);
  const changes: FsChange[] = [];
  const changedDirs = new Set<string>();
  const record = (path: string, kind: ChangeKind): void => {
    if (kind !== ChangeKind.Modified) {
      const parent = posix.dirname(path);
      if (parent !== '/' && !changedDirs.has(parent)) {
        changes.push({ path: parent, kind: ChangeKind.Modified });
        changedDirs.add(parent);
      }
    }
    changes.push({ path, kind });
  };

  const walk = async (rel: string): Promise<void> => {
    const upperNames = new Set((await ifPresent(readdir(join(upperDir, rel)))) ?? []);
    // An opaque directory hides the lower one: the names only the lower one had are deleted.
    const gone =
      rel !== '' && opaque.has(rel)
        ? [...(await lowerNames(lowerDirs, rel))].filter((n) => !upperNames.has(n))
        : [];
    const names = [...upperNames, ...gone].sort(byName);
    for (const name of names) {
      const childRel = rel === '' ? name : `${rel}/${name}`;
      const path = `/${childRel}`;
      if (!upperNames.has(name)) {
        record(path, ChangeKind.Deleted);
        continue;
      }
      const st = await ifPresent(bigStat(join(upperDir, childRel)));
      const plain = await ifPresent(lstat(join(upperDir, childRel)));
      if (st === undefined || plain === undefined) continue;
      const isDir = st.isDirectory();
      if (isOverlayWhiteout(plain)) {
        record(path, ChangeKind.Deleted);
        continue;
      }
      if (await isMountpointStub(upperDir, childRel, plain, lowerDirs)) continue;
      const below = await lowerEntry(lowerDirs, childRel);
      // A directory copied up only because something below it changed is not itself a change.
      let same = false;
      if (below !== undefined && isDir && below.isDirectory() && !opaque.has(childRel)) {
        const lower = await lowerBigStat(lowerDirs, childRel);
        same =
          lower !== undefined &&
          st.size === lower.size &&
          st.mode === lower.mode &&
          sameTime(st.mtimeNs, lower.mtimeNs);
      }
      if (!same) {
        if (isDir) changedDirs.add(path);
        record(path, below === undefined ? ChangeKind.Added : ChangeKind.Modified);
      }
      if (isDir) await walk(childRel);
    }
  };
  await walk('');
  return changes;
}

async function lowerBigStat(lowerDirs: readonly string[], rel: string): Promise<BigIntStats | undefined> {
  for (const dir of lowerDirs) {
    const st = await lstatInside(dir, rel);
    if (st === undefined) continue;
    return isOverlayWhiteout(st) ? undefined : bigStat(join(dir, rel));
  }
  return undefined;
}
