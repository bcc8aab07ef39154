/** A worker for the SharedRing tests: consumes a ring (hashing what it takes), or fills one. */
import { createHash } from 'node:crypto';
import { serveJobs } from '../threads/serve.js';
import { RING_END, RING_STOPPED, SharedRing, type RingShare } from '../threads/ring.js';

export type RingJob =
  | { kind: 'consume'; ring: RingShare; delayEvery?: number }
  | { kind: 'produce'; ring: RingShare; bytes: number };

export interface RingResult {
  digest: string;
  size: number;
  stopped: boolean;
}

serveJobs<RingJob, RingResult, { slot: number; length: number }>((job, emit) => {
  const ring = SharedRing.attach(job.ring);
  const hash = createHash('sha256');
  let size = 0;
  let n = 0;
  for (let slot = 0; ; slot = (slot + 1) % ring.slots) {
    if (job.kind === 'consume') {
      const length = ring.waitFull(slot);
      if (length === RING_END) break;
      if (length === RING_STOPPED) return { digest: '', size, stopped: true };
      hash.update(ring.view(slot, length));
      size += length;
      // A slow consumer now and then: the producer must wait for its slots.
      if (job.delayEvery && ++n % job.delayEvery === 0) {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
      }
      ring.release(slot);
    } else {
      if (size >= job.bytes) break;
      if (!ring.waitFree(slot)) return { digest: '', size, stopped: true };
      const length = Math.min(ring.size, job.bytes - size);
      const view = ring.view(slot, length);
      for (let i = 0; i < length; i++) view[i] = (size + i) % 251;
      hash.update(view);
      size += length;
      ring.publish(slot, length);
      emit({ slot, length });
    }
  }
  return { digest: hash.digest('hex'), size, stopped: false };
});
