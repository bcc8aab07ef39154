import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { PolisError, isPolisError, proc } from '@polis/core';
import { tarEntry, type TarEntry } from '../tar/writer.js';
import { byName, ifPresent, isMountpointStub, isOverlayWhiteout, opaqueDirs } from './upper.js';
import { OPAQUE_MARKER, WHITEOUT_PREFIX } from './whiteout.js';

const BLOCK = 512;
const END = BLOCK * 2;

/** What goes into a layer made from an overlay upper dir. */
export interface UpperPlan {
  /** Top-level entries GNU tar archives, recursively. */
  top: string[];
  /** Paths (relative) it leaves out: overlay whiteouts and mount point stubs. */
  exclude: string[];
  /** OCI whiteout markers standing for the overlay ones. */
  whiteouts: TarEntry[];
}

/**
 * Walks an upper dir without following symlinks: ordinary entries are archived as they are, a 0:0
 * character device becomes `.wh.<name>` and an opaque directory gets `.wh..wh..opq` (image-spec
 * layer.md), the reverse of `convertWhiteouts`. Mount point stubs the runtime made where the image
 * (`lowerDirs`, top first) has nothing stay out, as Docker's init layer keeps them out of commits.
 */
export async function planUpperLayer(
  upperDir: string,
  lowerDirs: readonly string[] = [],
): Promise<UpperPlan> {
  const plan: UpperPlan = { top: [], exclude: [], whiteouts: [] };
  // A container that never started has no upper dir yet: nothing changed.
  const root = await lstat(upperDir).catch(() => undefined);
  if (root === undefined || !root.isDirectory()) return plan;
  const opaque = await opaqueDirs(upperDir);
  const walk = async (rel: string): Promise<void> => {
    for (const name of ((await ifPresent(readdir(join(upperDir, rel)))) ?? []).sort(byName)) {
      const childRel = rel === '' ? name : `${rel}/${name}`;
      const st = await ifPresent(lstat(join(upperDir, childRel)));
      if (st === undefined) continue;
      if (isOverlayWhiteout(st)) {
        plan.whiteouts.push(
          marker(rel === '' ? `${WHITEOUT_PREFIX}${name}` : `${rel}/${WHITEOUT_PREFIX}${name}`),
        );
        plan.exclude.push(childRel);
        continue;
      }
      if (await isMountpointStub(upperDir, childRel, st, lowerDirs)) {
        plan.exclude.push(childRel);
        continue;
      }
      if (rel === '') plan.top.push(childRel);
      if (!st.isDirectory()) continue;
      if (opaque.has(childRel)) plan.whiteouts.push(marker(`${childRel}/${OPAQUE_MARKER}`));
      await walk(childRel);
    }
  };
  await walk('');
  return plan;
}

function marker(name: string): TarEntry {
  return { name, type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: Math.floor(Date.now() / 1000) };
}

/** GNU tar's options for a layer: numeric owners, the xattrs images carry, no volatile times. */
const TAR_ARGS = [
  '--create',
  '--file=-',
  '--blocking-factor=1',
  '--format=posix',
  '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime',
  '--numeric-owner',
  '--xattrs',
  '--xattrs-include=user.*',
  '--xattrs-include=system.posix_acl_access',
  '--xattrs-include=system.posix_acl_default',
  '--xattrs-include=security.capability',
  '--sort=name',
  // A running container committed without a pause may remove files under the walk: left out, not fatal.
  '--ignore-failed-read',
  '--warning=no-file-changed',
  '--warning=no-file-removed',
  // Exclusions are literal names from the top (GNU tar reads them a line each, not NUL-separated).
  '--no-wildcards',
  '--anchored',
  '--exclude-from=-',
];

export interface UpperLayerTar {
  stream: Readable;
  /** Settles when tar exited; rejects with its error. */
  done: Promise<void>;
}

/**
 * The container's changes as an OCI layer tar: GNU tar archives the tree (it keeps hard links, owners
 * and xattrs, and walks with directory descriptors and O_NOFOLLOW, so a path swapped for a symlink
 * meanwhile leads nowhere outside); the whiteout markers are appended before the end of the archive,
 * so each marker's directory is already in it when an extractor meets the marker.
 */
export function upperLayerTar(upperDir: string, plan: UpperPlan, extraArgs: string[] = []): UpperLayerTar {
  if (plan.top.length === 0) {
    const only = Buffer.concat([...plan.whiteouts.map(tarEntry), Buffer.alloc(END)]);
    return { stream: Readable.from([only]), done: Promise.resolve() };
  }
  const args = ['--directory', upperDir, ...extraArgs, ...TAR_ARGS, '--', ...plan.top];
  const child = proc.start('tar', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  // Exit 1 is GNU tar's "some files differ": changed while read, which an unpaused commit allows.
  const exited = proc.waitFor(child, 'tar', args).catch((err: unknown) => {
    if (isPolisError(err) && err.context.exitCode === 1) return;
    throw err;
  });
  // A name holding a newline cannot be written as an exclusion: such a whiteout goes in as the 0:0
  // device it is, which overlayfs reads as the same deletion.
  child.stdin?.end(
    plan.exclude
      .filter((p) => !p.includes('\n'))
      .map((p) => `${p}\n`)
      .join(''),
  );
  let held = Buffer.alloc(0);
  const splice = new Transform({
    transform(chunk: Buffer, _enc, callback) {
      // The last two blocks are tar's end marker: hold them back until the stream ends.
      held = Buffer.concat([held, chunk]);
      const out = held.subarray(0, Math.max(0, held.length - END));
      held = held.subarray(out.length);
      callback(null, out);
    },
    flush(callback) {
      if (held.length !== END || held.some((b) => b !== 0)) {
        callback(new PolisError('image.layer_invalid', 'tar did not end its archive as expected'));
        return;
      }
      callback(null, Buffer.concat([...plan.whiteouts.map(tarEntry), Buffer.alloc(END)]));
    },
  });
  const stdout = child.stdout;
  if (!stdout) throw new PolisError('internal', 'tar has no stdout');
  stdout.pipe(splice);
  const done = exited.then(
    () => undefined,
    (err: unknown) => {
      splice.destroy(err as Error);
      throw err;
    },
  );
  return { stream: splice, done };
}
