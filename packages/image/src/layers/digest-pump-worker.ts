/**
 * The worker side of `digest-pump.ts`: copies one pipe into another with blocking reads and writes,
 * hashing and counting every byte. When the reader goes away (tar stops at the end-of-archive
 * blocks, or fails), it keeps reading and hashing to the end, as `tee -p` would, so the digest still
 * covers the whole stream. Both descriptors are closed when a job ends, whatever happened.
 */
import { createHash } from 'node:crypto';
import { closeSync, readSync, writeSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';

export interface PumpJob {
  from: number;
  to: number;
}

export type PumpResult =
  { ok: true; digest: string; size: number } | { ok: false; message: string; code?: string };

const buffer = Buffer.allocUnsafe(256 * 1024);

function errnoCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException).code;
}

function writeAll(fd: number, bytes: Buffer): void {
  let at = 0;
  while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
}

export function pumpOnce({ from, to }: PumpJob): PumpResult {
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
        if (errnoCode(err) !== 'EPIPE') throw err;
        open = false;
      }
    }
    return { ok: true, digest: `sha256:${hash.digest('hex')}`, size };
  } catch (err) {
    const code = errnoCode(err);
    return {
      ok: false,
      message: err instanceof Error ? err.message : String(err),
      ...(code ? { code } : {}),
    };
  } finally {
    closeQuietly(from);
    closeQuietly(to);
  }
}

/** Each descriptor is closed once: the number may be reused by another thread right after. */
function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // EBADF would be a bug in the caller; nothing to undo here.
  }
}

parentPort?.on('message', (job: PumpJob) => parentPort?.postMessage(pumpOnce(job)));
