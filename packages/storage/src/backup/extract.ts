import type { Readable } from 'node:stream';
import { dirname } from 'node:path';
import { isPolisError, proc } from '@polis/core';
import { ThreadPool } from '@polis/core/threads';
import type { CheckEvent, CheckJob, Checked } from './check-worker.js';
import { TrailerCheck } from './digest.js';
import type { BackupManifest } from './manifest.js';
import { invalidBackup } from './tar-block.js';

/**
 * Extraction as root: owners, modes and xattrs (POSIX ACLs among them) as stored; the checker has
 * confined every name. Not `--acls`: with it tar drops the system.posix_acl_* xattrs of a member that
 * has no text ACL (`backup.ts` stores none; older backups carry both, and the xattrs restore them).
 */
export function tarExtractArgs(dir: string): string[] {
  return [
    '--extract',
    '--file=-',
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

const checks = new ThreadPool<CheckJob, Checked, CheckEvent>(new URL('./check-worker.js', import.meta.url));

/**
 * Decompresses and checks a backup from `source` and extracts its data into `dir` (a staging directory
 * nobody else sees; its parent holds the pipes for a moment). Resolves with the manifest once zstd, the
 * check (names, digest, trailer) and tar all succeeded. On failure both processes are killed and
 * waited for, so nothing writes into `dir` afterwards; `source` is unpiped but not destroyed (an HTTP
 * caller still answers on its connection).
 *
 * The compressed upload goes through Node (its digest is checked on the way: `TrailerCheck`); zstd's
 * output goes to a worker thread that checks it (`check-worker.ts`) and writes tar's input, so the
 * volume's bytes, twice the upload's here, never cross the event loop (a 200 MiB restore took ~1 s
 * of the main thread's CPU through a Transform).
 */
export async function extractBackup(
  source: Readable,
  dir: string,
  onManifest: (manifest: BackupManifest) => void,
): Promise<BackupManifest> {
  const tarArgs = tarExtractArgs(dir);
  const [raw, checkedPipe] = (await proc.pipes(dirname(dir), 2)) as [proc.PipeFds, proc.PipeFds];
  let zstd: proc.ChildProcess;
  let tar: proc.ChildProcess;
  try {
    zstd = proc.start('zstd', ZSTD_DECOMPRESS, { stdio: ['pipe', raw.write, 'pipe'] });
    tar = proc.start('tar', tarArgs, { stdio: [checkedPipe.read, 'ignore', 'pipe'] });
  } catch (err) {
    proc.closePipe(raw);
    proc.closePipe(checkedPipe);
    throw err;
  }
  // The children hold their ends now; ours would keep the pipes from ending.
  proc.closePipe({ read: checkedPipe.read, write: raw.write });
  const trailer = new TrailerCheck();
  let killed = false;
  let refused: unknown;
  let unfeed = (): void => undefined;
  let undigest = (): void => undefined;
  const stop = (): void => {
    killed = true;
    source.unpipe(trailer);
    trailer.unpipe(zstd.stdin!);
    unfeed();
    undigest();
    for (const child of [zstd, tar]) if (alive(child)) child.kill('SIGKILL');
  };

  const fed = new Promise<void>((resolve, reject) => {
    let ended = false;
    unfeed = resolve;
    source.once('error', reject);
    source.once('end', () => {
      ended = true;
      resolve();
    });
    source.once('close', () => {
      if (!ended) reject(new Error('the upload was cut off before its end'));
    });
    zstd.stdin!.on('error', () => undefined);
    source.pipe(trailer).pipe(zstd.stdin!);
  });
  // The digest of a format-2 backup is checked as the compressed bytes go by, its verdict at their end.
  const digested = new Promise<void>((resolve, reject) => {
    undigest = resolve;
    trailer.once('error', reject);
    trailer.once('end', resolve);
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
    fed.then(() => digested),
    proc.waitFor(zstd, 'zstd', ZSTD_DECOMPRESS),
    checked,
    proc.waitFor(tar, 'tar', tarArgs),
  ];
  for (const step of steps) step.catch(() => (killed ? undefined : stop()));
  const results = await Promise.allSettled(steps);
  if (refused !== undefined) throw refused;
  const [feed, unzstd, check, untar] = results.map((r) =>
    r.status === 'rejected' ? (r.reason as unknown) : undefined,
  );
  const checkResult = results[2] as PromiseSettledResult<Checked>;
  const manifest = checkResult.status === 'fulfilled' ? checkResult.value.manifest : undefined;
  if (results.every((r) => r.status === 'fulfilled') && manifest) {
    if (manifest.formatVersion >= 2 && !trailer.found) {
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
