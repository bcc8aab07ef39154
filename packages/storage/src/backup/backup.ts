import type { Writable } from 'node:stream';
import { PolisError, createLogger, isPolisError, proc } from '@polis/core';
import { SharedRing, ThreadPool } from '@polis/core/threads';
import type { VolumeRecord } from '../volumes/types.js';
import { manifestEntry, manifestOf } from './manifest.js';
import type { SendEvent, SendJob, Sent } from './send-worker.js';
import { rawFrame, trailerFrame } from './zstd-frame.js';

const log = createLogger('storage');

/** zstd's default level (as `tar --zstd`), on every core; the frame checksum catches a flipped byte. */
export const ZSTD_ARGS = ['-3', '-T0', '-q', '-c', '--check'];

/**
 * GNU tar's compressed archive of a volume's data: pax format (xattrs of every namespace incl. user.*,
 * nanosecond mtimes), numeric owners, names sorted and atime/ctime left out so an unchanged volume
 * gives the same bytes (and digest) each time; tar runs zstd itself and reports its failure in its own
 * exit status, so the uncompressed archive never passes through polisd. Records of 256 KiB: with tar's
 * 10 KiB, zstd was woken for each (interleaved bench: 1.52× → 1.26× `tar --zstd -cf`). POSIX ACLs travel as the
 * xattrs they are (system.posix_acl_*); `--acls` would read and store each of them a second time, as
 * text, for ~10% of tar's time on a tree of small files.
 */
export function tarCreateArgs(dir: string): string[] {
  return [
    '--create',
    '--file=-',
    '--record-size=262144',
    `--directory=${dir}`,
    `--use-compress-program=zstd ${ZSTD_ARGS.join(' ')}`,
    '--format=posix',
    '--pax-option=delete=atime,delete=ctime',
    '--xattrs',
    '--xattrs-include=*',
    '--numeric-owner',
    '--sort=name',
    '.',
  ];
}

const sends = new ThreadPool<SendJob, Sent, SendEvent>(new URL('./send-worker.js', import.meta.url));

/** Eight chunks of 1 MiB: one write to the client each. */
const SLOTS = 8;
const CHUNK = 1024 * 1024;

/** A ring left by a backup that ended cleanly (no write of it can still be under way), for the next. */
let spareRing: SharedRing | undefined;

/** A backup that ended before its trailer: the reader went away, or the worker was stopped. */
function cutShort(name: string, why: string): PolisError {
  return new PolisError('process.failed', `backup ${name}: ${why}`);
}

/**
 * The backup of a volume (format 2, `zstd-frame.ts`): the manifest frame, tar's compressed archive,
 * then the digest trailer frame. `start` runs tar (so failing to is an error before any answer);
 * `pipeTo` must follow at once: until it runs, tar waits on its full pipe.
 */
export class VolumeBackup {
  private constructor(
    private readonly volume: VolumeRecord,
    private readonly tar: proc.ChildProcess,
    private readonly tarArgs: string[],
    /** The read end of tar's output pipe, handed to the worker by `pipeTo`. */
    private readonly from: number,
  ) {}

  /** Starts tar on the volume's data, writing into a pipe made in `pipeDir` (and unlinked at once). */
  static async start(volume: VolumeRecord, pipeDir: string): Promise<VolumeBackup> {
    const tarArgs = tarCreateArgs(volume.mountpoint);
    const [pipe] = (await proc.pipes(pipeDir, 1, { size: proc.BULK_PIPE_SIZE })) as [proc.PipeFds];
    let tar: proc.ChildProcess;
    try {
      tar = proc.start('tar', tarArgs, { stdio: ['ignore', pipe.write, 'pipe'] });
    } catch (err) {
      proc.closePipe(pipe);
      throw err;
    }
    proc.closePipe({ read: -1, write: pipe.write });
    return new VolumeBackup(volume, tar, tarArgs, pipe.read);
  }

  /**
   * Writes the backup into `dest` and ends it. tar writes into a pipe that a worker thread reads into a
   * ring of 1 MiB chunks it shares with this thread (`SharedRing`), and hashes (`send-worker.ts`); each
   * chunk is written from the shared memory and given back to the worker when `dest` has passed it on
   * (its write callback), so the archive costs this thread one write per MiB and no copy. `dest` ends only when tar
   * (and its zstd) succeeded; any failure destroys it with the error, so a reader never takes a cut
   * archive for a whole one. When `dest` closes early (the client went away) tar is killed and the
   * worker stopped.
   */
  async pipeTo(dest: Writable): Promise<void> {
    const { volume, tar, tarArgs } = this;
    const ring = spareRing ?? SharedRing.create(SLOTS, CHUNK);
    spareRing = undefined;
    const stop = (): void => {
      ring.stop();
      if (tar.exitCode === null && tar.signalCode === null) tar.kill('SIGKILL');
    };
    // The reader failing or closing before the end; also what keeps an error we destroy it with handled.
    const gone = new Promise<never>((_, reject) => {
      dest.once('error', (err) => {
        stop();
        reject(err);
      });
      dest.once('close', () => {
        if (!dest.writableFinished) {
          stop();
          reject(cutShort(volume.name, 'the reader went away before the end'));
        }
      });
    });
    gone.catch(() => undefined);
    if (dest.destroyed) stop();
    const before = rawFrame(manifestEntry(manifestOf(volume)));
    dest.write(before);
    const sent = sends.run(
      { from: this.from, before, ring: ring.share },
      {
        handsOver: [this.from],
        onEvent: ({ slot, length }) => {
          if (ring.stopped) return;
          dest.write(ring.view(slot, length), () => ring.release(slot));
        },
      },
    );
    const tarDone = proc.waitFor(tar, 'tar', tarArgs).catch((err: unknown) => {
      // Exit 1: a file changed while it was read (a volume in use without --pause); the archive is whole.
      if (isPolisError(err) && err.context.exitCode === 1) {
        log.warn('a file of the volume changed while it was backed up', { volume: volume.name });
        return;
      }
      throw err;
    });
    try {
      const [, result] = await Promise.race([Promise.all([tarDone, sent]), gone]);
      if (result.stopped) throw cutShort(volume.name, 'stopped');
      // An error of the end comes as `gone`'s rejection.
      const ended = new Promise<void>((resolve) => {
        dest.end(trailerFrame({ digest: result.digest, size: result.size }), (err?: Error | null) => {
          if (!err) resolve();
        });
      });
      await Promise.race([ended, gone]);
      spareRing = ring;
    } catch (err) {
      stop();
      // The worker has stopped reading (or failed): let it finish before anything else happens.
      await sent.catch(() => undefined);
      const failure =
        isPolisError(err) && err.message.startsWith(`backup ${volume.name}: `)
          ? err
          : new PolisError('process.failed', `backup ${volume.name}: ${(err as Error).message}`, {
              cause: err,
            });
      if (!dest.destroyed) dest.destroy(failure);
      throw failure;
    }
  }
}
