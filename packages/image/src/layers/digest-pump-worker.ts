/**
 * The worker side of `digest-pump.ts`: copies one pipe into another with blocking reads and writes,
 * hashing and counting every byte. When the reader goes away (tar stops at the end-of-archive
 * blocks, or fails), it keeps reading and hashing to the end, as `tee -p` would, so the digest still
 * covers the whole stream. Both descriptors are closed when a job ends, whatever happened.
 */
import { createHash } from 'node:crypto';
import { readSync } from 'node:fs';
import { closeQuietly, serveJobs, writeAllSync } from '@polis/core/threads';

export interface PumpJob {
  from: number;
  to: number;
}

export interface Pumped {
  /** `sha256:…` of every byte read. */
  digest: string;
  size: number;
}

const buffer = Buffer.allocUnsafe(256 * 1024);

function pumpOnce({ from, to }: PumpJob): Pumped {
  try {
    const hash = createHash('sha256');
    let size = 0;
    let open = true;
    for (;;) {
      const n = readSync(from, buffer, 0, buffer.length, null);
      if (n === 0) break;
      const chunk = buffer.subarray(0, n);
      hash.update(chunk);
      size += n;
      if (!open) continue;
      try {
        writeAllSync(to, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EPIPE') throw err;
        open = false;
      }
    }
    return { digest: `sha256:${hash.digest('hex')}`, size };
  } finally {
    closeQuietly(from);
    closeQuietly(to);
  }
}

serveJobs(pumpOnce);
