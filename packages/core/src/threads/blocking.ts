import { closeSync, writeSync } from 'node:fs';

/** Writes all of `bytes` to a blocking descriptor (a worker's pipe end), however many writes it takes. */
export function writeAllSync(fd: number, bytes: Uint8Array): void {
  let at = 0;
  while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
}

/** Closes a descriptor once, ignoring an error: its number may belong to another thread right after. */
export function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Nothing to undo: the descriptor is gone either way.
  }
}
