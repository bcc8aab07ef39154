import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PolisError, createLogger, isPolisError, proc } from '@polis/core';
import type { VolumeRecord } from '../volumes/types.js';
import { Batcher } from './batch.js';
import { BackupFramer } from './frame.js';
import { manifestEntry, manifestOf } from './manifest.js';

const log = createLogger('storage');

/**
 * GNU tar's archive of a volume's data: pax format (xattrs of every namespace incl. user.*, ACLs,
 * nanosecond mtimes), numeric owners, names sorted and atime/ctime left out so an unchanged volume gives
 * the same bytes (and digest) each time; 64 KiB records (a pipe's size) for few writes.
 */
export function tarCreateArgs(dir: string): string[] {
  return [
    '--create',
    '--file=-',
    `--directory=${dir}`,
    '--format=posix',
    '--pax-option=delete=atime,delete=ctime',
    '--xattrs',
    '--xattrs-include=*',
    '--acls',
    '--numeric-owner',
    '--sort=name',
    '--blocking-factor=128',
    '.',
  ];
}

/** zstd's default level (as `tar --zstd`), on every core; the frame checksum catches a flipped byte. */
export const ZSTD_ARGS = ['-3', '-T0', '-q', '-c', '--check'];

/**
 * Streams the backup of a volume: tar → framer (manifest, digest trailer) → zstd. The stream ends only
 * when tar and zstd both succeeded; any failure destroys it, so a reader never takes a cut archive for a
 * whole one. Destroying it (the client went away) kills both processes.
 */
export function backupStream(volume: VolumeRecord): Readable {
  const tarArgs = tarCreateArgs(volume.mountpoint);
  const tar = proc.start('tar', tarArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  const zstd = proc.start('zstd', ZSTD_ARGS, { stdio: ['pipe', 'pipe', 'pipe'] });
  const created = Date.parse(volume.createdAt) / 1000 || 0;
  const framer = new BackupFramer(manifestEntry(manifestOf(volume)), created);
  const out = new Batcher();
  const kill = (): void => {
    for (const child of [tar, zstd])
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  out.on('close', kill);
  const tarDone = proc.waitFor(tar, 'tar', tarArgs).catch((err: unknown) => {
    // Exit 1: a file changed while it was read (a volume in use without --pause); the archive is whole.
    if (isPolisError(err) && err.context.exitCode === 1) {
      log.warn('a file of the volume changed while it was backed up', { volume: volume.name });
      return;
    }
    throw err;
  });
  const zstdOut = pipeline(zstd.stdout!, out, { end: false });
  Promise.all([
    tarDone,
    pipeline(tar.stdout!, framer, zstd.stdin!),
    proc.waitFor(zstd, 'zstd', ZSTD_ARGS),
    zstdOut,
  ]).then(
    () => out.end(),
    (err: unknown) => {
      kill();
      out.destroy(
        new PolisError('process.failed', `backup ${volume.name}: ${(err as Error).message}`, { cause: err }),
      );
    },
  );
  return out;
}
