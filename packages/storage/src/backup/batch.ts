import { Transform, type TransformCallback } from 'node:stream';

const BATCH = 1024 * 1024;

/**
 * Gathers a child's pipe output (64 KiB a read at most) into 1 MiB pieces: an HTTP answer then goes out
 * in few chunked-encoding frames and large socket writes, which the reader takes in few large reads.
 */
export class Batcher extends Transform {
  private pending: Buffer[] = [];
  private size = 0;

  constructor() {
    super({ readableHighWaterMark: 4 * BATCH, writableHighWaterMark: BATCH });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.pending.push(chunk);
    this.size += chunk.length;
    if (this.size >= BATCH) this.release();
    done();
  }

  override _flush(done: TransformCallback): void {
    this.release();
    done();
  }

  private release(): void {
    if (this.size === 0) return;
    this.push(this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.size));
    this.pending = [];
    this.size = 0;
  }
}
