/**
 * The worker side of a restore's check (`extract.ts`): reads zstd's output from one pipe, runs it
 * through `BackupChecker`, and writes what may be extracted into tar's pipe, with blocking reads and
 * writes, so the volume's bytes never cross polisd's event loop. The manifest is reported as soon as it
 * is read (the caller may refuse it and stop the restore). Both descriptors are closed at the end.
 */
import { readSync } from 'node:fs';
import { closeQuietly, serveJobs, writeAllSync } from '@polis/core/threads';
import { BackupChecker } from './check.js';
import type { BackupManifest } from './manifest.js';

export interface CheckJob {
  from: number;
  to: number;
}

export interface CheckEvent {
  manifest: BackupManifest;
}

export interface Checked {
  manifest: BackupManifest | undefined;
}

const buffer = Buffer.allocUnsafe(256 * 1024);

function checkOnce({ from, to }: CheckJob, emit: (event: CheckEvent) => void): Checked {
  try {
    const checker = new BackupChecker((manifest) => emit({ manifest }));
    for (;;) {
      // One buffer for every read: the checker keeps nothing of it, and what it returns is written
      // before the next read. (A copy per read, into fresh memory, cost more than the check itself.)
      const n = readSync(from, buffer, 0, buffer.length, null);
      if (n === 0) break;
      const out = checker.take(buffer.subarray(0, n));
      if (out) writeAllSync(to, out);
    }
    writeAllSync(to, checker.finish());
    return { manifest: checker.manifest };
  } finally {
    closeQuietly(from);
    closeQuietly(to);
  }
}

serveJobs(checkOnce);
