import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { invalidBackup } from './tar-block.js';
import { TRAILER_FRAME_SIZE, parseTrailerFrame } from './zstd-frame.js';

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
