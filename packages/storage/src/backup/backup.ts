import type { Readable } from 'node:stream';
import { PolisError, createLogger, isPolisError, proc } from '@polis/core';
import type { VolumeRecord } from '../volumes/types.js';
import { DigestBatcher } from './digest.js';
import { manifestEntry, manifestOf } from './manifest.js';
import { rawFrame } from './zstd-frame.js';

const log = createLogger('storage');

/** zstd's default level (as `tar --zstd`), on every core; the frame checksum catches a flipped byte. */
export const ZSTD_ARGS = ['-3', '-T0', '-q', '-c', '--check'];

/**
 * GNU tar's compressed archive of a volume's data: pax format (xattrs of every namespace incl. user.*,
 * ACLs, nanosecond mtimes), numeric owners, names sorted and atime/ctime left out so an unchanged volume
 * gives the same bytes (and digest) each time; tar runs zstd itself and reports its failure in its own
 * exit status, so the uncompressed archive never passes through polisd.
 */
export function tarCreateArgs(dir: string): string[] {
  return [
    '--create',
    '--file=-',
    `--directory=${dir}`,
    `--use-compress-program=zstd ${ZSTD_ARGS.join(' ')}`,
    '--format=posix',
    '--pax-option=delete=atime,delete=ctime',
    '--xattrs',
    '--xattrs-include=*',
    '--acls',
    '--numeric-owner',
    '--sort=name',
    '.',
  ];
}

/**
 * Streams the backup of a volume (format 2, `zstd-frame.ts`): the manifest frame, tar's compressed
 * archive, then the digest trailer frame. The stream ends only when tar (and its zstd) succeeded; any
 * failure destroys it, so a reader never takes a cut archive for a whole one. Destroying it (the client
 * went away) kills tar.
 */
export function backupStream(volume: VolumeRecord): Readable {
  const tarArgs = tarCreateArgs(volume.mountpoint);
  const tar = proc.start('tar', tarArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  const out = new DigestBatcher();
  out.write(rawFrame(manifestEntry(manifestOf(volume))));
  out.on('close', () => {
    if (tar.exitCode === null && tar.signalCode === null) tar.kill('SIGKILL');
  });
  const tarDone = proc.waitFor(tar, 'tar', tarArgs).catch((err: unknown) => {
    // Exit 1: a file changed while it was read (a volume in use without --pause); the archive is whole.
    if (isPolisError(err) && err.context.exitCode === 1) {
      log.warn('a file of the volume changed while it was backed up', { volume: volume.name });
      return;
    }
    throw err;
  });
  tar.stdout!.pipe(out, { end: false });
  const drained = new Promise<void>((resolve, reject) => {
    tar.stdout!.once('end', resolve);
    tar.stdout!.once('error', reject);
  });
  Promise.all([tarDone, drained]).then(
    () => out.end(),
    (err: unknown) => {
      if (tar.exitCode === null && tar.signalCode === null) tar.kill('SIGKILL');
      out.destroy(
        new PolisError('process.failed', `backup ${volume.name}: ${(err as Error).message}`, { cause: err }),
      );
    },
  );
  return out;
}
