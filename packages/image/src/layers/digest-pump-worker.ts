/**
 * The worker side of `digest-pump.ts`: copies one pipe into another with blocking reads and writes,
 * hashing and counting every byte. When the reader goes away (tar stops at the end-of-archive
 * blocks, or fails), it keeps reading and hashing to the end, as `tee -p` would, so the digest still
 * covers the whole stream. Both descriptors are closed when a job ends, whatever happened.
 */
import { createHash } from 'node:crypto';
import { closeSync, readSync, writeSync } from 'node:fs';
import { serveJobs } from '@polis/core/threads';

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

function writeAll(fd: number, bytes: Buffer): void {
  let at = 0;
  while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
}

/** Each descriptor is closed once: its number may be reused by another thread right after. */
function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Nothing to undo: the descriptor is gone either way.
  }
}

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
        writeAll(to, chunk);
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
