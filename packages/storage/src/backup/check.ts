import { createHash } from 'node:crypto';
import { Confinement } from './confine.js';
import { compareTrailer } from './digest.js';
import {
  MANIFEST_NAME,
  MAX_META_SIZE,
  TRAILER_NAME,
  parseManifest,
  parseTrailer,
  type BackupManifest,
} from './manifest.js';
import {
  BLOCK,
  invalidBackup,
  isZeroBlock,
  paddedSize,
  parseHeader,
  parsePax,
  type TarHeader,
} from './tar-block.js';

const EMPTY = Buffer.alloc(0);

type Meta = 'manifest' | 'trailer' | 'pax' | 'longname' | 'longlink';

/** The entry whose data is going by: how many bytes are left, whether tar gets them, whether they are kept. */
interface Current {
  remaining: number;
  size: number;
  forward: boolean;
  meta?: Meta;
  chunks: Buffer[];
}

/**
 * Reads a decompressed backup piece by piece and hands tar only what is safe to extract: the manifest
 * is checked (and given to `onManifest`, which may refuse it) and not extracted; every data entry's
 * name is confined (`Confinement`); in a format-1 backup the digest over the manifest and data entries
 * is compared with the trailer entry's (format 2's digest is over the compressed bytes:
 * `TrailerDigest`). Whatever is wrong throws `volume.backup_invalid`, so the caller's staging directory
 * is thrown away and no volume appears. No streams: the restore runs it on a worker thread
 * (`check-worker.ts`); tests drive it as a Transform (`testing/check-stream.ts`).
 */
export class BackupChecker {
  private readonly hash = createHash('sha256');
  private hashed = 0;
  private hashing = true;
  private header: Buffer = EMPTY;
  private current: Current | undefined;
  private entries = 0;
  private pax: Record<string, string> = {};
  private longName: string | undefined;
  private longLink: string | undefined;
  private trailerSeen = false;
  private ended = false;
  private readonly confinement = new Confinement();
  manifest: BackupManifest | undefined;

  constructor(private readonly onManifest: (manifest: BackupManifest) => void = () => undefined) {}

  /**
   * What goes to tar from the chunk at hand, given back as one buffer, not as many small writes. Headers
   * and data of consecutive members lie side by side in the chunk read: they are tracked as one run of
   * offsets (a Buffer view per member cost more than the check itself), so most chunks go to tar whole.
   */
  private chunk: Buffer = EMPTY;
  private runStart = -1;
  private runEnd = -1;
  private out: Buffer[] = [];
  /** Where the header being read lies in the chunk; -1 when it was split between chunks (then a copy). */
  private blockAt = -1;

  /** Bytes [start, end) of the chunk at hand go to tar. */
  private forward(start: number, end: number): void {
    if (this.runEnd === start) {
      this.runEnd = end;
      return;
    }
    this.endRun();
    this.runStart = start;
    this.runEnd = end;
  }

  /** The header being read goes to tar. */
  private forwardHeader(block: Buffer): void {
    if (this.blockAt >= 0) return this.forward(this.blockAt, this.blockAt + BLOCK);
    this.endRun();
    this.out.push(block);
  }

  private endRun(): void {
    if (this.runEnd > this.runStart) {
      const whole = this.runStart === 0 && this.runEnd === this.chunk.length;
      this.out.push(whole ? this.chunk : this.chunk.subarray(this.runStart, this.runEnd));
    }
    this.runStart = -1;
    this.runEnd = -1;
  }

  /**
   * Checks the next piece of the decompressed backup; returns what tar gets of it (maybe nothing), as
   * `chunk` itself or views of it where it can. Nothing of `chunk` is kept past the call, so the caller
   * may reuse its memory once the returned bytes are written.
   */
  take(chunk: Buffer): Buffer | undefined {
    this.chunk = chunk;
    try {
      this.consume(chunk);
      this.endRun();
    } finally {
      this.chunk = EMPTY;
      this.runStart = -1;
      this.runEnd = -1;
    }
    const out = this.out.length <= 1 ? this.out[0] : Buffer.concat(this.out);
    this.out = [];
    return out;
  }

  /** After the manifest of a format-2 backup (entries before it are the manifest's own). */
  private inFormat2(): boolean {
    return this.manifest !== undefined && this.manifest.formatVersion >= 2;
  }

  /** At the end of the input: refuses a truncated backup, else returns tar's end of archive. */
  finish(): Buffer {
    const whole = this.inFormat2() ? this.ended : this.trailerSeen;
    if (!whole || this.current || this.header.length > 0) {
      throw invalidBackup('the backup ends early: it is truncated');
    }
    // tar's end of archive, which the trailer's position took.
    return Buffer.alloc(2 * BLOCK);
  }

  private consume(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      const cur = this.current;
      if (cur) {
        const take = Math.min(cur.remaining, chunk.length - at);
        if (this.hashing) {
          this.hash.update(chunk.subarray(at, at + take));
          this.hashed += take;
        }
        if (cur.forward) this.forward(at, at + take);
        // Kept past this chunk, whose memory the caller may reuse: copied (at most MAX_META_SIZE).
        if (cur.meta) cur.chunks.push(Buffer.from(chunk.subarray(at, at + take)));
        cur.remaining -= take;
        at += take;
        if (cur.remaining === 0) this.finishEntry(cur);
        continue;
      }
      if (this.header.length === 0 && chunk.length - at >= BLOCK) {
        this.blockAt = at;
        at += BLOCK;
        this.onHeader(chunk.subarray(this.blockAt, at));
        continue;
      }
      // A header split between chunks: gathered in a buffer of its own.
      const take = Math.min(BLOCK - this.header.length, chunk.length - at);
      this.header = Buffer.concat([this.header, chunk.subarray(at, at + take)]);
      at += take;
      if (this.header.length === BLOCK) {
        const block = this.header;
        this.header = EMPTY;
        this.blockAt = -1;
        this.onHeader(block);
      }
    }
  }

  private onHeader(block: Buffer): void {
    if (this.ended) {
      if (!isZeroBlock(block)) throw invalidBackup('there is data after the end of the archive');
      return;
    }
    if (isZeroBlock(block) && this.inFormat2()) {
      // tar's end of archive; the digest trailer is outside the tar, checked by TrailerDigest.
      this.ended = true;
      return;
    }
    if (isZeroBlock(block)) {
      throw invalidBackup(
        this.entries === 0 ? 'it is empty' : 'the archive ends before its digest trailer: it is truncated',
      );
    }
    const h = parseHeader(block);
    const first = this.entries === 0;
    this.entries++;
    if (first) {
      if (h.name !== MANIFEST_NAME || h.type !== '0') {
        throw invalidBackup(
          `the first entry is ${JSON.stringify(h.name)}, not the manifest ${MANIFEST_NAME}`,
        );
      }
      this.hashBlock(block);
      return this.begin(h.size, false, 'manifest');
    }
    if (h.name === TRAILER_NAME && h.type === '0' && !this.inFormat2()) {
      // The digest covers everything before this header.
      this.hashing = false;
      return this.begin(h.size, false, 'trailer');
    }
    this.hashBlock(block);
    this.checkNext(h, block);
  }

  /** A pax or long-name header, or a data entry: checked, then handed to tar with its header. */
  private checkNext(h: TarHeader, block: Buffer): void {
    switch (h.type) {
      case 'x':
        this.forwardHeader(block);
        return this.begin(h.size, true, 'pax');
      case 'L':
        this.forwardHeader(block);
        return this.begin(h.size, true, 'longname');
      case 'K':
        this.forwardHeader(block);
        return this.begin(h.size, true, 'longlink');
      case 'g':
        throw invalidBackup('global pax headers are not allowed in a volume backup');
    }
    const name = this.pax.path ?? this.longName ?? h.name;
    const linkname = this.pax.linkpath ?? this.longLink ?? h.linkname;
    const size = this.pax.size !== undefined ? Number(this.pax.size) : h.size;
    if (!Number.isSafeInteger(size) || size < 0)
      throw invalidBackup(`entry ${JSON.stringify(name)} has a bad size`);
    this.pax = {};
    this.longName = undefined;
    this.longLink = undefined;
    this.confinement.admit(h.type, name, linkname);
    this.forwardHeader(block);
    // Links, directories and FIFOs carry no data (a hard link's size field may be set but is ignored by tar).
    this.begin(h.type === '0' || h.type === '\0' || h.type === '7' ? size : 0, true);
  }

  private hashBlock(block: Buffer): void {
    if (!this.hashing) return;
    this.hash.update(block);
    this.hashed += BLOCK;
  }

  private begin(size: number, forward: boolean, meta?: Meta): void {
    if (meta && size > MAX_META_SIZE) throw invalidBackup(`a ${meta} entry is too large`);
    const current: Current = {
      remaining: paddedSize(size),
      size,
      forward,
      chunks: [],
      ...(meta ? { meta } : {}),
    };
    if (current.remaining === 0) this.finishEntry(current);
    else this.current = current;
  }

  private finishEntry(cur: Current): void {
    this.current = undefined;
    if (!cur.meta) return;
    const data = Buffer.concat(cur.chunks).subarray(0, cur.size);
    switch (cur.meta) {
      case 'manifest':
        this.manifest = parseManifest(data);
        // Format 2's digest is over the compressed stream (TrailerDigest), not the entries.
        if (this.manifest.formatVersion >= 2) this.hashing = false;
        this.onManifest(this.manifest);
        return;
      case 'pax':
        this.pax = parsePax(data);
        return;
      case 'longname':
        this.longName = data.toString('utf8').replace(/\0+$/, '');
        return;
      case 'longlink':
        this.longLink = data.toString('utf8').replace(/\0+$/, '');
        return;
      case 'trailer': {
        const trailer = parseTrailer(data);
        compareTrailer(trailer, `sha256:${this.hash.digest('hex')}`, this.hashed);
        this.trailerSeen = true;
        this.ended = true;
        return;
      }
    }
  }
}
