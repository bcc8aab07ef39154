import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { PolisError } from '@polis/core';
import { BLOCK } from './tar-block.js';
import { trailerEntry } from './manifest.js';

/** GNU tar with `--blocking-factor=1` ends its archive with exactly two zero blocks. */
const END = 2 * BLOCK;

/**
 * Wraps GNU tar's output into a backup: the manifest entry first, tar's members unchanged, then the
 * digest trailer and a new end-of-archive. Tar's own end marker is held back as the stream goes (the last
 * 1 KiB is only known to be the end at the end) and checked to be zeros.
 */
export class BackupFramer extends Transform {
  private readonly hash = createHash('sha256');
  private size = 0;
  private tail = Buffer.alloc(0);

  constructor(
    manifest: Buffer,
    private readonly mtime: number,
  ) {
    super();
    this.emit_(manifest);
  }

  private emit_(data: Buffer): void {
    if (data.length === 0) return;
    this.hash.update(data);
    this.size += data.length;
    this.push(data);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (chunk.length >= END) {
      this.emit_(this.tail);
      this.emit_(chunk.subarray(0, chunk.length - END));
      this.tail = Buffer.from(chunk.subarray(chunk.length - END));
    } else {
      const all = Buffer.concat([this.tail, chunk]);
      this.emit_(all.subarray(0, Math.max(0, all.length - END)));
      this.tail = all.subarray(Math.max(0, all.length - END));
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.tail.length !== END || this.tail.some((b) => b !== 0)) {
      done(new PolisError('internal', 'tar ended its archive without the end-of-archive blocks'));
      return;
    }
    const digest = `sha256:${this.hash.digest('hex')}`;
    this.push(trailerEntry({ digest, size: this.size }, this.mtime));
    this.push(Buffer.alloc(END));
    done();
  }
}
