/**
 * The worker that feeds a restore's zstd (`extract.ts`): takes the compressed upload from the ring the
 * main thread fills (`SharedRing`), checks its digest on the way (`TrailerDigest`) and writes it into
 * zstd's pipe with blocking writes, so the main thread only copies what the socket gives it into the
 * ring. When zstd goes away (a damaged stream, or the restore was stopped) it keeps taking and hashing
 * to the end of the upload, so the verdict on the digest still comes: a mismatch explains zstd's
 * failure better than zstd does. The pipe's write end is closed at the end, whatever happened.
 */
import { PolisError } from '@polis/core';
import {
  RING_END,
  RING_STOPPED,
  SharedRing,
  closeQuietly,
  serveJobs,
  writeAllSync,
  type RingShare,
} from '@polis/core/threads';
import { TrailerDigest } from './digest.js';

export interface FeedJob {
  ring: RingShare;
  /** The write end of zstd's input pipe. */
  to: number;
}

export interface Fed {
  /** Whether the upload ended with a trailer frame (whose digest matched: a mismatch throws). */
  found: boolean;
}

function feedOnce({ ring: share, to }: FeedJob): Fed {
  let open = true;
  const closeOutput = (): void => {
    if (open) closeQuietly(to);
    open = false;
  };
  try {
    const ring = SharedRing.attach(share);
    const digest = new TrailerDigest();
    for (let slot = 0; ; slot = (slot + 1) % ring.slots) {
      const length = ring.waitFull(slot);
      if (length === RING_END) break;
      if (length === RING_STOPPED) throw new PolisError('internal', 'the restore was stopped');
      const chunk = ring.view(slot, length);
      digest.update(chunk);
      if (open) {
        try {
          writeAllSync(to, chunk);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EPIPE') throw err;
          closeOutput();
        }
      }
      ring.release(slot);
    }
    // zstd sees the end of its input before the verdict, as it would at the end of a file.
    closeOutput();
    return { found: digest.finish() };
  } finally {
    closeOutput();
  }
}

serveJobs(feedOnce);
