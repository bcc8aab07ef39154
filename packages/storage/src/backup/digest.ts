import { createHash } from 'node:crypto';
import type { BackupTrailer } from './manifest.js';
import { invalidBackup } from './tar-block.js';
import { TRAILER_FRAME_SIZE, parseTrailerFrame } from './zstd-frame.js';

/**
 * The restore's digest of the compressed backup: hashes all but the last TRAILER_FRAME_SIZE bytes of
 * what it is given, and at the end, when those bytes are a trailer frame, compares its digest and size
 * with what went by (a mismatch is `volume.backup_invalid`). `finish` tells whether a trailer frame was
 * there (backups of format 1 carry theirs inside the tar instead). It keeps nothing of a chunk but a
 * copy of the tail, so the caller may reuse its memory. No streams: the restore runs it on a worker
 * thread (`feed-worker.ts`); tests drive it as a Transform (`testing/trailer-stream.ts`).
 */
export class TrailerDigest {
  private readonly hash = createHash('sha256');
  private hashed = 0;
  private tail: Buffer = Buffer.alloc(0);

  update(chunk: Buffer): void {
    const all = this.tail.length + chunk.length;
    if (all <= TRAILER_FRAME_SIZE) {
      this.tail = Buffer.concat([this.tail, chunk]);
    } else if (chunk.length >= TRAILER_FRAME_SIZE) {
      this.add(this.tail);
      this.add(chunk.subarray(0, chunk.length - TRAILER_FRAME_SIZE));
      this.tail = Buffer.from(chunk.subarray(chunk.length - TRAILER_FRAME_SIZE));
    } else {
      const joined = Buffer.concat([this.tail, chunk]);
      this.add(joined.subarray(0, all - TRAILER_FRAME_SIZE));
      this.tail = joined.subarray(all - TRAILER_FRAME_SIZE);
    }
  }

  private add(data: Buffer): void {
    this.hash.update(data);
    this.hashed += data.length;
  }

  /** At the end: whether a trailer frame was there; throws when its digest or size is not what went by. */
  finish(): boolean {
    const trailer: BackupTrailer | undefined = parseTrailerFrame(this.tail);
    if (!trailer) return false;
    compareTrailer(trailer, `sha256:${this.hash.digest('hex')}`, this.hashed);
    return true;
  }
}

/** Refuses a backup whose content (`digest`, `size` bytes) is not what its trailer says. */
export function compareTrailer(trailer: BackupTrailer, digest: string, size: number): void {
  if (trailer.size !== size || trailer.digest !== digest) {
    throw invalidBackup(
      `content digest mismatch: the backup says ${trailer.digest}, its content is ${digest}`,
      {
        expected: trailer.digest,
        actual: digest,
      },
    );
  }
}
