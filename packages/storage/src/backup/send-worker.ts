/**
 * The worker side of a backup (`backup.ts`): reads tar's compressed archive from a pipe with blocking
 * reads into the ring it shares with the main thread (`SharedRing`), hashes it (after the bytes the main
 * thread sent before it, the manifest frame) and tells the main thread which slot is ready; the main
 * thread only writes the slots to the client. A 64 KiB pipe read per event-loop turn cost polisd ~0.5 s
 * of its main thread per 100 MiB backup. Stops when the ring is stopped. The pipe's read end is closed
 * at the end, whatever happened.
 */
import { createHash } from 'node:crypto';
import { SharedRing, closeQuietly, readFullSync, serveJobs, type RingShare } from '@polis/core/threads';

export interface SendJob {
  from: number;
  /** The bytes the main thread sent before the archive (the manifest frame): the digest covers them. */
  before: Uint8Array;
  ring: RingShare;
}

/** Slot `slot` of the ring holds `length` bytes of the archive. */
export interface SendEvent {
  slot: number;
  length: number;
}

export interface Sent {
  /** `sha256:…` of `before` and every byte read. */
  digest: string;
  size: number;
  /** True when the job ended because the ring was stopped. */
  stopped: boolean;
}

function sendOnce({ from, before, ring: share }: SendJob, emit: (e: SendEvent) => void): Sent {
  try {
    const ring = SharedRing.attach(share);
    const hash = createHash('sha256').update(before);
    let size = before.length;
    for (let slot = 0; ; slot = (slot + 1) % ring.slots) {
      if (!ring.waitFree(slot)) return { digest: '', size, stopped: true };
      const chunk = ring.view(slot);
      const n = readFullSync(from, chunk);
      if (n === 0) break;
      hash.update(chunk.subarray(0, n));
      size += n;
      ring.publish(slot, n);
      emit({ slot, length: n });
      if (n < chunk.length) break;
    }
    return { digest: `sha256:${hash.digest('hex')}`, size, stopped: false };
  } finally {
    closeQuietly(from);
  }
}

serveJobs(sendOnce);
