import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { PolisError } from '@polis/core';
import { BLOCK, isZeroBlock, paddedSize, parseHeader, parsePax } from './tar-block.js';
import { trailerEntry } from './manifest.js';

/** Types whose size field counts data blocks that follow (links, dirs and FIFOs have none). */
const WITH_DATA = new Set(['0', '\0', '7', 'x', 'g', 'L', 'K']);

/**
 * The writer of format-1 backups (the trailer a tar member), which Polis still reads; kept to make such
 * backups in tests. Wraps GNU tar's output into a backup: the manifest entry first, tar's members unchanged, then the
 * digest trailer and a new end-of-archive. Tar writes in large records (one 512-byte record per write
 * is ten times slower), so its end marker comes with record padding: the framer walks the headers to
 * know where the members end, and passes the data through in the chunks it came in.
 */
export class BackupFramer extends Transform {
  private readonly hash = createHash('sha256');
  private size = 0;
  /** Data bytes (padded) left of the current member. */
  private skip = 0;
  /** A pax header's data, kept to read `size` (GNU tar writes it for members of 8 GiB and more). */
  private pax: Buffer[] | undefined;
  private paxSize = 0;
  private nextSize: number | undefined;
  private header: Buffer = Buffer.alloc(0);
  private ended = false;

  constructor(
    manifest: Buffer,
    private readonly mtime: number,
  ) {
    super();
    this.out(manifest);
  }

  private out(data: Buffer): void {
    if (data.length === 0) return;
    this.hash.update(data);
    this.size += data.length;
    this.push(data);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      let from = 0;
      if (this.header.length > 0 && !this.ended) {
        // A header split between chunks: held back until whole, so an end marker is never half sent.
        from = Math.min(BLOCK - this.header.length, chunk.length);
        this.header = Buffer.concat([this.header, chunk.subarray(0, from)]);
        if (this.header.length === BLOCK) {
          const block = this.header;
          this.header = Buffer.alloc(0);
          if (this.onHeader(block)) this.out(block);
        }
      }
      if (!this.ended && from < chunk.length) this.out(chunk.subarray(from, this.walk(chunk, from)));
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  /**
   * Follows the member structure through `chunk` from `at`; returns where the part to pass on ends: at
   * the end marker, or before a header that the chunk holds only the start of.
   */
  private walk(chunk: Buffer, at: number): number {
    while (at < chunk.length) {
      if (this.skip > 0) {
        const take = Math.min(this.skip, chunk.length - at);
        this.pax?.push(chunk.subarray(at, at + take));
        this.skip -= take;
        at += take;
        if (this.skip === 0 && this.pax) {
          const pax = parsePax(Buffer.concat(this.pax).subarray(0, this.paxSize));
          this.nextSize = pax.size === undefined ? undefined : Number(pax.size);
          this.pax = undefined;
        }
        continue;
      }
      if (chunk.length - at < BLOCK) {
        this.header = Buffer.from(chunk.subarray(at));
        return at;
      }
      if (!this.onHeader(chunk.subarray(at, at + BLOCK))) return at;
      at += BLOCK;
    }
    return chunk.length;
  }

  /** Reads one header; false at the end marker (then nothing more of tar's output is passed on). */
  private onHeader(block: Buffer): boolean {
    if (isZeroBlock(block)) {
      this.ended = true;
      return false;
    }
    const h = parseHeader(block);
    const size = h.type === 'x' || this.nextSize === undefined ? h.size : this.nextSize;
    if (h.type !== 'x') this.nextSize = undefined;
    this.skip = WITH_DATA.has(h.type) ? paddedSize(size) : 0;
    if (h.type === 'x') {
      this.pax = [];
      this.paxSize = h.size;
    }
    return true;
  }

  override _flush(done: TransformCallback): void {
    if (!this.ended) {
      done(new PolisError('internal', 'tar ended its archive without the end-of-archive blocks'));
      return;
    }
    const digest = `sha256:${this.hash.digest('hex')}`;
    this.push(trailerEntry({ digest, size: this.size }, this.mtime));
    this.push(Buffer.alloc(2 * BLOCK));
    done();
  }
}
