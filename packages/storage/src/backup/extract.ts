import type { Readable } from 'node:stream';
import { dirname } from 'node:path';
import { isPolisError, proc } from '@polis/core';
import { SharedRing, ThreadPool } from '@polis/core/threads';
import type { CheckEvent, CheckJob, Checked } from './check-worker.js';
import type { FeedJob, Fed } from './feed-worker.js';
import type { BackupManifest } from './manifest.js';
import { invalidBackup } from './tar-block.js';

/**
 * Extraction as root: owners, modes and xattrs (POSIX ACLs among them) as stored; the checker has
 * confined every name. Records of 256 KiB, filled from however many pipe reads it takes: with tar's
 * 10 KiB records the worker writing into its pipe was woken ~23,000 times per 230 MB (a third of the
 * worker's CPU, and a quarter of tar's and zstd's). Not `--acls`: with it tar drops the system.posix_acl_* xattrs of a member that
 * has no text ACL (`backup.ts` stores none; older backups carry both, and the xattrs restore them).
 */
export function tarExtractArgs(dir: string): string[] {
  return [
    '--extract',
    '--file=-',
    '--record-size=262144',
    '--read-full-records',
    `--directory=${dir}`,
    '--xattrs',
    '--xattrs-include=*',
    '--numeric-owner',
    '--same-owner',
    '--same-permissions',
  ];
}

const ZSTD_DECOMPRESS = ['-d', '-q', '-c'];

function alive(child: proc.ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

const feeds = new ThreadPool<FeedJob, Fed>(new URL('./feed-worker.js', import.meta.url));
const checks = new ThreadPool<CheckJob, Checked, CheckEvent>(new URL('./check-worker.js', import.meta.url));

/** Sixteen slots of 256 KiB: four socket reads each, then the worker writes it to zstd. */
const FEED_SLOTS = 16;
const FEED_SLOT_SIZE = 256 * 1024;

/**
 * Copies what `source` gives into the ring, slot by slot, publishing each full one; pauses `source`
 * while the next slot is still the worker's. Resolves at `source`'s end (after publishing the last
 * part and ending the ring), rejects when it closes before its end. `stop` ends it quietly.
 */
function fillRing(source: Readable, ring: SharedRing): { filled: Promise<void>; stop: () => void } {
  const views = Array.from({ length: ring.slots }, (_, i) => ring.view(i));
  let slot = 0;
  let used = 0;
  let settle = (): void => undefined;
  const filled = new Promise<void>((resolve, reject) => {
    let ended = false;
    const detach = (): void => {
      source.off('data', onData);
      source.off('end', onEnd);
      source.off('close', onClose);
      source.off('error', onError);
    };
    settle = () => {
      detach();
      resolve();
    };
    /** Copies `chunk` from `at` on; false when it had to wait for a slot (it goes on by itself). */
    const put = (chunk: Buffer, at: number): boolean => {
      while (at < chunk.length) {
        if (used === 0 && !ring.isFree(slot)) {
          source.pause();
          void ring.freeAsync(slot).then((free) => {
            if (free && put(chunk, at)) source.resume();
          });
          return false;
        }
        const view = views[slot] as Buffer;
        const n = chunk.copy(view, used, at, Math.min(chunk.length, at + view.length - used));
        used += n;
        at += n;
        if (used === view.length) {
          ring.publish(slot, used);
          slot = (slot + 1) % ring.slots;
          used = 0;
        }
      }
      return true;
    };
    const onData = (chunk: Buffer): void => void put(chunk, 0);
    const onEnd = (): void => {
      ended = true;
      if (used > 0) ring.publish(slot, used);
      ring.end();
      detach();
      resolve();
    };
    const onClose = (): void => {
      if (ended) return;
      detach();
      reject(new Error('the upload was cut off before its end'));
    };
    const onError = (err: Error): void => {
      detach();
      reject(err);
    };
    source.on('data', onData);
    source.once('end', onEnd);
    source.once('close', onClose);
    source.once('error', onError);
  });
  return { filled, stop: () => settle() };
}

/**
 * Decompresses and checks a backup from `source` and extracts its data into `dir` (a staging directory
 * nobody else sees; its parent holds the pipes for a moment). Resolves with the manifest once zstd, the
 * check (names, digest, trailer) and tar all succeeded. On failure both processes are killed and
 * waited for, so nothing writes into `dir` afterwards; `source` is left paused, not destroyed (an HTTP
 * caller still answers on its connection).
 *
 * The compressed upload is copied into a ring of shared memory (`SharedRing`) from which a worker thread
 * checks its digest and feeds zstd (`feed-worker.ts`); zstd's output goes to a second worker that
 * checks it (`check-worker.ts`) and writes tar's input. So the event loop only copies socket reads into
 * the ring: writing them into zstd's pipe and hashing them there cost ~0.3 s of its CPU per 100 MiB,
 * and the volume's bytes (through a Transform) ~1 s per 200 MiB before that.
 */
export async function extractBackup(
  source: Readable,
  dir: string,
  onManifest: (manifest: BackupManifest) => void,
): Promise<BackupManifest> {
  const tarArgs = tarExtractArgs(dir);
  const [feedPipe, raw, checkedPipe] = (await proc.pipes(dirname(dir), 3, { size: proc.BULK_PIPE_SIZE })) as [
    proc.PipeFds,
    proc.PipeFds,
    proc.PipeFds,
  ];
  let zstd: proc.ChildProcess;
  let tar: proc.ChildProcess;
  try {
    zstd = proc.start('zstd', ZSTD_DECOMPRESS, { stdio: [feedPipe.read, raw.write, 'pipe'] });
    tar = proc.start('tar', tarArgs, { stdio: [checkedPipe.read, 'ignore', 'pipe'] });
  } catch (err) {
    for (const p of [feedPipe, raw, checkedPipe]) proc.closePipe(p);
    throw err;
  }
  // The children hold their ends now; ours would keep the pipes from ending.
  proc.closePipe({ read: feedPipe.read, write: -1 });
  proc.closePipe({ read: checkedPipe.read, write: raw.write });
  const ring = SharedRing.create(FEED_SLOTS, FEED_SLOT_SIZE);
  const feeding = fillRing(source, ring);
  let killed = false;
  let refused: unknown;
  let found = false;
  let undigest = (): void => undefined;
  const stop = (): void => {
    killed = true;
    ring.stop();
    feeding.stop();
    undigest();
    for (const child of [zstd, tar]) if (alive(child)) child.kill('SIGKILL');
  };
  // The digest of a format-2 backup is checked as the compressed bytes go by, its verdict at their end.
  const digested = new Promise<void>((resolve, reject) => {
    undigest = resolve;
    feeds.run({ ring: ring.share, to: feedPipe.write }, { handsOver: [feedPipe.write] }).then((fed) => {
      found = fed.found;
      resolve();
    }, reject);
  });
  const checked = checks.run(
    { from: raw.read, to: checkedPipe.write },
    {
      handsOver: [raw.read, checkedPipe.write],
      onEvent: ({ manifest }) => {
        try {
          onManifest(manifest);
        } catch (err) {
          refused = err;
          if (!killed) stop();
        }
      },
    },
  );
  const steps = [
    feeding.filled.then(() => digested),
    proc.waitFor(zstd, 'zstd', ZSTD_DECOMPRESS),
    checked,
    proc.waitFor(tar, 'tar', tarArgs),
  ];
  // The feed worker failing leaves the ring's slots taken: stop at once, not when the upload ends.
  for (const step of [...steps, digested]) step.catch(() => (killed ? undefined : stop()));
  const results = await Promise.allSettled(steps);
  if (refused !== undefined) throw refused;
  const [feed, unzstd, check, untar] = results.map((r) =>
    r.status === 'rejected' ? (r.reason as unknown) : undefined,
  );
  const checkResult = results[2] as PromiseSettledResult<Checked>;
  const manifest = checkResult.status === 'fulfilled' ? checkResult.value.manifest : undefined;
  if (results.every((r) => r.status === 'fulfilled') && manifest) {
    if (manifest.formatVersion >= 2 && !found) {
      throw invalidBackup('the digest trailer is missing: the backup is truncated');
    }
    return manifest;
  }

  // A digest mismatch of the compressed bytes is the cause of whatever else failed after it (the stop
  // it triggers cuts zstd and tar short, which the check then sees as a truncation).
  if (feed !== undefined && isPolisError(feed)) throw feed;
  // zstd failing on its own (not killed by us) means the compressed stream is damaged.
  if (unzstd !== undefined && isPolisError(unzstd) && unzstd.context.signal === null) {
    const stderr = String(unzstd.context.stderr ?? '').trim();
    throw invalidBackup(`the zstd stream is damaged or truncated${stderr ? ` (${stderr})` : ''}`);
  }
  if (check !== undefined && isPolisError(check) && check.code !== 'internal') throw check;
  if (feed !== undefined) throw feed;
  if (untar !== undefined) throw untar;
  throw check ?? invalidBackup('the backup could not be read');
}
