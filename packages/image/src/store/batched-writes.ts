import type { FileHandle } from 'node:fs/promises';

/** At most this much waits to be written before `add` waits for the disk. */
const QUEUE_LIMIT = 4 * 1024 * 1024;
/** writev(2) takes at most IOV_MAX (1024) pieces. */
const MAX_PIECES = 1024;

/**
 * Writes the pieces of a download to a file in batches: while one writev is under way, the next
 * pieces gather, so a 150 MB blob takes a few hundred writes instead of one thread-pool round trip
 * (and one wait of the download) per 64 KiB piece. The pieces must not be changed after `add`.
 */
export class BatchedWrites {
  private pending: Uint8Array[] = [];
  private queued = 0;
  private running: Promise<void> | undefined;
  private failure: { error: unknown } | undefined;

  constructor(private readonly file: FileHandle) {}

  /** Queues a piece; waits only when too much is queued. Throws a failed write's error. */
  async add(piece: Uint8Array): Promise<void> {
    this.throwFailure();
    this.pending.push(piece);
    this.queued += piece.length;
    this.running ??= this.drain();
    if (this.queued > QUEUE_LIMIT) await this.running;
    this.throwFailure();
  }

  /** Waits until everything queued is written; throws a failed write's error. */
  async finish(): Promise<void> {
    await this.running;
    this.throwFailure();
  }

  private throwFailure(): void {
    if (this.failure) throw this.failure.error;
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0 && !this.failure) {
        const batch = this.pending.splice(0, MAX_PIECES);
        let bytes = batch.reduce((n, b) => n + b.length, 0);
        this.queued -= bytes;
        let pieces: Uint8Array[] = batch;
        // A regular file takes a writev whole unless the disk is full; a short one is finished here.
        while (bytes > 0) {
          const { bytesWritten } = await this.file.writev(pieces);
          bytes -= bytesWritten;
          pieces = rest(pieces, bytesWritten);
        }
      }
    } catch (error) {
      this.failure = { error };
    } finally {
      this.running = undefined;
    }
  }
}

/** The pieces after the first `skip` bytes. */
function rest(pieces: Uint8Array[], skip: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const p of pieces) {
    if (skip >= p.length) {
      skip -= p.length;
      continue;
    }
    out.push(skip > 0 ? p.subarray(skip) : p);
    skip = 0;
  }
  return out;
}
