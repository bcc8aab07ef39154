/**
 * The worker side of a backup (`backup.ts`): reads tar's compressed archive from a pipe with blocking
 * reads into the ring of chunks it shares with the main thread (`send-control.ts`), hashes it (after
 * the bytes the main thread sent before it, the manifest frame) and tells the main thread which chunk
 * is ready; the main thread only writes the chunks to the client. A 64 KiB pipe read per event-loop
 * turn cost polisd ~0.5 s of its main thread per 100 MiB backup. Waits for a chunk the main thread
 * still holds; stops when asked. The pipe's read end is closed at the end, whatever happened.
 */
import { createHash } from 'node:crypto';
import { closeQuietly, readFullSync, serveJobs } from '@polis/core/threads';
import { CHUNK, SLOTS, STOP } from './send-control.js';

export interface SendJob {
  from: number;
  /** The bytes the main thread sent before the archive (the manifest frame): the digest covers them. */
  before: Uint8Array;
  ring: SharedArrayBuffer;
  control: SharedArrayBuffer;
}

/** Chunk `slot` of the ring holds `length` bytes of the archive. */
export interface SendEvent {
  slot: number;
  length: number;
}

export interface Sent {
  /** `sha256:…` of `before` and every byte read. */
  digest: string;
  size: number;
  /** True when the job ended because the main thread asked it to. */
  stopped: boolean;
}

/** Waits until the main thread gave `slot` back; false when it asked the job to stop. */
function free(c: Int32Array, slot: number): boolean {
  while (Atomics.load(c, slot) === 1) {
    if (Atomics.load(c, STOP) === 1) return false;
    Atomics.wait(c, slot, 1, 1000);
  }
  return Atomics.load(c, STOP) === 0;
}

function sendOnce({ from, before, ring, control }: SendJob, emit: (e: SendEvent) => void): Sent {
  try {
    const c = new Int32Array(control);
    const hash = createHash('sha256').update(before);
    let size = before.length;
    for (let slot = 0; ; slot = (slot + 1) % SLOTS) {
      if (!free(c, slot)) return { digest: '', size, stopped: true };
      const chunk = Buffer.from(ring, slot * CHUNK, CHUNK);
      const n = readFullSync(from, chunk);
      if (n === 0) break;
      hash.update(chunk.subarray(0, n));
      size += n;
      Atomics.store(c, slot, 1);
      emit({ slot, length: n });
      if (n < CHUNK) break;
    }
    return { digest: `sha256:${hash.digest('hex')}`, size, stopped: false };
  } finally {
    closeQuietly(from);
  }
}

serveJobs(sendOnce);
