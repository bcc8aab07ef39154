import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import type { BackupTrailer } from './manifest.js';
import { invalidBackup } from './tar-block.js';
import { TRAILER_FRAME_SIZE, parseTrailerFrame, trailerFrame } from './zstd-frame.js';

const BATCH = 1024 * 1024;

/**
 * The backup's output side: hashes every byte it passes (the compressed frames) and holds a child's
 * 64 KiB pipe reads back until 1 MiB has come, then passes them on together, in one tick: an HTTP answer
 * corks its socket for a tick, so they leave in one writev(2). They are not copied into one buffer: in
 * polisd that copy (fresh 1 MiB buffers, page faults, GC) cost a third of the daemon's CPU for a backup.
 * Ending it appends the trailer frame with the digest and size of everything before.
 */
export class DigestBatcher extends Transform {
  private readonly hash = createHash('sha256');
  private size = 0;
  private pending: Buffer[] = [];
  private pendingSize = 0;

  constructor() {
    super({ readableHighWaterMark: 4 * BATCH, writableHighWaterMark: BATCH });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    this.pending.push(chunk);
    this.pendingSize += chunk.length;
    if (this.pendingSize >= BATCH) this.release();
    done();
  }

  override _flush(done: TransformCallback): void {
    this.release();
    this.push(trailerFrame(this.trailer()));
    done();
  }

  private release(): void {
    if (this.pendingSize === 0) return;
    for (const chunk of this.pending) this.push(chunk);
    this.pending = [];
    this.pendingSize = 0;
  }

  private trailer(): BackupTrailer {
    return { digest: `sha256:${this.hash.digest('hex')}`, size: this.size };
  }
}

/**
 * The restore's input side: passes the backup on unchanged (zstd skips the trailer frame) while it
 * hashes all but the last TRAILER_FRAME_SIZE bytes; at the end, when those bytes are a trailer frame,
 * compares its digest and size with what went by (a mismatch fails the stream). `found` tells whether a
 * trailer frame was there (backups of format 1 carry theirs inside the tar instead).
 */
export class TrailerCheck extends Transform {
  private readonly hash = createHash('sha256');
  private hashed = 0;
  private tail: Buffer = Buffer.alloc(0);
  found = false;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.push(chunk);
    const all = this.tail.length + chunk.length;
    if (all <= TRAILER_FRAME_SIZE) {
      this.tail = Buffer.concat([this.tail, chunk]);
    } else if (chunk.length >= TRAILER_FRAME_SIZE) {
      this.update(this.tail);
      this.update(chunk.subarray(0, chunk.length - TRAILER_FRAME_SIZE));
      this.tail = Buffer.from(chunk.subarray(chunk.length - TRAILER_FRAME_SIZE));
    } else {
      const joined = Buffer.concat([this.tail, chunk]);
      this.update(joined.subarray(0, all - TRAILER_FRAME_SIZE));
      this.tail = joined.subarray(all - TRAILER_FRAME_SIZE);
    }
    done();
  }

  private update(data: Buffer): void {
    this.hash.update(data);
    this.hashed += data.length;
  }

  override _flush(done: TransformCallback): void {
    try {
      const trailer = parseTrailerFrame(this.tail);
      if (trailer) {
        const digest = `sha256:${this.hash.digest('hex')}`;
        if (trailer.size !== this.hashed || trailer.digest !== digest) {
          throw invalidBackup(
            `content digest mismatch: the backup says ${trailer.digest}, its content is ${digest}`,
            { expected: trailer.digest, actual: digest },
          );
        }
        this.found = true;
      }
      done();
    } catch (err) {
      done(err as Error);
    }
  }
}
