import { randomBytes } from 'node:crypto';
import { closeSync, constants, openSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { spawnHelper } from './helper.js';
import { run } from './run.js';

/** A pipe buffer for bulk data (layers, backups): 1 MiB, the kernel's default `pipe-max-size`. */
export const BULK_PIPE_SIZE = 1024 * 1024;

/** Both ends of an OS pipe, as plain blocking file descriptors the caller owns (close them). */
export interface PipeFds {
  read: number;
  write: number;
  /** The FIFO: kept (for a child to open by name) only with `pipes(…, { keep: true })`; unlink it then. */
  path: string;
}

/**
 * Makes `count` OS pipes, which Node has no call for: a FIFO in `dir` (under a name of its own, so calls
 * may share a directory) opened at both ends and unlinked.
 * Opening the read end first with O_RDWR means neither blocking open waits for a peer; once that
 * descriptor is closed, the pipe behaves as pipe(2) made it: EOF when every writer has closed, EPIPE
 * when every reader has. The ends are close-on-exec (libuv opens them so): only a child given one
 * as its stdio holds it, so one child's pipe never keeps another's open.
 *
 * For data that should not pass through the event loop: a child writes one end, a worker thread
 * reads the other with blocking reads. `size` sets their buffers (by the spawn helper, F_SETPIPE_SZ;
 * where it is not there, or refuses, they keep the default 64 KiB): through 1 MiB pipes a restore's
 * zstd → check → tar chain took ~0.8× the time of 64 KiB ones on a tmpfs (fewer wake-ups of each side).
 */
export async function pipes(
  dir: string,
  count: number,
  options: { keep?: boolean; size?: number } = {},
): Promise<PipeFds[]> {
  const tag = randomBytes(6).toString('hex');
  const paths = Array.from({ length: count }, (_, i) => join(dir, `.pipe-${tag}-${i}`));
  if (spawnHelper()) await run('polis-spawn:mkfifo', ['0600', ...paths]);
  else await run('mkfifo', ['-m', '0600', ...paths]);
  const made: PipeFds[] = [];
  try {
    for (const path of paths) {
      const both = openSync(path, constants.O_RDWR);
      try {
        const read = openSync(path, constants.O_RDONLY);
        try {
          made.push({ read, write: openSync(path, constants.O_WRONLY), path });
        } catch (err) {
          closeSync(read);
          throw err;
        }
      } finally {
        closeSync(both);
      }
    }
    if (options.size !== undefined && spawnHelper()) {
      await run('polis-spawn:pipesize', [String(options.size), ...paths]).catch(() => undefined);
    }
    return made;
  } catch (err) {
    for (const p of made) closePipe(p);
    if (options.keep) unlinkAll(paths);
    throw err;
  } finally {
    if (!options.keep) unlinkAll(paths);
  }
}

/** Removes FIFOs (the pipes stay as long as their descriptors are open). */
export function unlinkAll(paths: readonly string[]): void {
  for (const path of paths) {
    try {
      unlinkSync(path);
    } catch {
      // Already gone, or never made: nothing to clean.
    }
  }
}

/** Closes whichever ends of a pipe are still open; -1 marks an end already handed on. */
export function closePipe(p: Pick<PipeFds, 'read' | 'write'>): void {
  for (const fd of [p.read, p.write]) {
    if (fd < 0) continue;
    try {
      closeSync(fd);
    } catch {
      // Closed already.
    }
  }
}
