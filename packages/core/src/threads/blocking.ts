import { closeSync, readSync, writeSync } from 'node:fs';

/** Writes all of `bytes` to a blocking descriptor (a worker's pipe end), however many writes it takes. */
export function writeAllSync(fd: number, bytes: Uint8Array): void {
  let at = 0;
  while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
}

/**
 * Fills `buffer` from a blocking descriptor as far as it goes (a pipe gives at most its 64 KiB per read,
 * so larger pieces mean fewer writes and wake-ups further on); returns the count, less only at EOF.
 */
export function readFullSync(fd: number, buffer: Uint8Array): number {
  let n = 0;
  while (n < buffer.length) {
    const got = readSync(fd, buffer, n, buffer.length - n, null);
    if (got === 0) break;
    n += got;
  }
  return n;
}

/** Closes a descriptor once, ignoring an error: its number may belong to another thread right after. */
export function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Nothing to undo: the descriptor is gone either way.
  }
}
