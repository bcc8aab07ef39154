import { Transform, type TransformCallback } from 'node:stream';
import { TrailerDigest } from '../backup/digest.js';

/** `TrailerDigest` as a Transform: passes the backup on unchanged; `found` after the end. */
export class TrailerCheck extends Transform {
  private readonly digest = new TrailerDigest();
  found = false;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.digest.update(chunk);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    try {
      this.found = this.digest.finish();
      done();
    } catch (err) {
      done(err as Error);
    }
  }
}
