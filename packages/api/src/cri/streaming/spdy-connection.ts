import type { Duplex } from 'node:stream';
import { constants, inflateSync } from 'node:zlib';
import { SPDY3_DICTIONARY } from './spdy-dictionary.js';

const SYN_STREAM = 1;
const SYN_REPLY = 2;
const RST_STREAM = 3;
const PING = 6;
const GOAWAY = 7;
const FLAG_FIN = 1;
const MAX_FRAME = 16 * 1024 * 1024;
const DATA_CHUNK = 32 * 1024;
/** RST_STREAM's status for a stream the server will not serve. */
const REFUSED_STREAM = 3;

export interface SpdyStreamEvents {
  /** A client stream opened (already answered with SYN_REPLY); headers are lower-cased. */
  onStream(id: number, headers: Map<string, string>): void;
  /** Bytes on stream ID; FIN set when the client is done writing it. */
  onData(id: number, data: Buffer, fin: boolean): void;
  /** The client reset stream ID. */
  onReset?(id: number): void;
}

/**
 * The server end of SPDY/3.1 as k8s.io/apimachinery's httpstream/spdy (moby/spdystream) speaks it:
 * client-opened streams answered at once with SYN_REPLY, data frames each way, FIN half-closes, PING
 * echoed, GOAWAY ends. spdystream does not enforce flow control, so WINDOW_UPDATE and SETTINGS are
 * read and ignored. Header blocks share one zlib stream per direction (SPDY/3's dictionary).
 */
export class SpdyConnection {
  private buffered = Buffer.alloc(0);
  private closed = false;
  private readonly closeListeners = new Set<() => void>();
  /** Header blocks in: all compressed input so far, and how much of its output was read. */
  private compressedIn = Buffer.alloc(0);
  private inflatedUsed = 0;
  private deflateStarted = false;
  private lastStream = 0;
  private readonly finished = new Set<number>();

  constructor(
    private readonly socket: Duplex,
    private readonly events: SpdyStreamEvents,
    head: Buffer,
  ) {
    socket.on('data', (chunk: Buffer) => this.onBytes(chunk));
    socket.on('close', () => this.finish());
    socket.on('error', () => this.finish());
    // The client's end of the socket (kubectl gone): nothing more can be asked, so this end closes too.
    socket.on('end', () => {
      socket.end();
      this.finish();
    });
    if (head.length > 0) queueMicrotask(() => this.onBytes(head));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  onClose(listener: () => void): void {
    if (this.closed) listener();
    else this.closeListeners.add(listener);
  }

  /** Writes DATA on stream ID, in frames of at most 32 KiB. */
  write(id: number, data: Buffer): void {
    if (this.closed || this.finished.has(id)) return;
    for (let off = 0; off < data.length; off += DATA_CHUNK)
      this.socket.write(dataFrame(id, 0, data.subarray(off, Math.min(off + DATA_CHUNK, data.length))));
  }

  /** Half-closes stream ID: the client reads it to EOF. */
  end(id: number): void {
    if (this.closed || this.finished.has(id)) return;
    this.finished.add(id);
    this.socket.write(dataFrame(id, FLAG_FIN, Buffer.alloc(0)));
  }

  /** Refuses stream ID (one the server does not know what to do with). */
  reset(id: number): void {
    if (this.closed) return;
    this.finished.add(id);
    this.socket.write(controlFrame(RST_STREAM, 0, Buffer.concat([u32(id), u32(REFUSED_STREAM)])));
  }

  /** GOAWAY and the socket's end. */
  close(): void {
    if (this.closed) return;
    this.socket.end(controlFrame(GOAWAY, 0, Buffer.concat([u32(this.lastStream), u32(0)])));
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    for (const l of this.closeListeners) l();
    this.closeListeners.clear();
  }

  private onBytes(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 8 && !this.closed) {
      const length = this.buffered.readUIntBE(5, 3);
      if (length > MAX_FRAME) {
        this.socket.destroy();
        return;
      }
      if (this.buffered.length < 8 + length) return;
      const head = this.buffered.subarray(0, 8);
      const body = Buffer.from(this.buffered.subarray(8, 8 + length));
      this.buffered = this.buffered.subarray(8 + length);
      try {
        if (head[0]! & 0x80) this.onControl(head.readUInt16BE(2), head[4]!, body);
        else this.events.onData(head.readUInt32BE(0) & 0x7fffffff, body, (head[4]! & FLAG_FIN) !== 0);
      } catch {
        // A header block that does not inflate (or a short frame) is a protocol error: drop the connection.
        this.socket.destroy();
        return;
      }
    }
  }

  private onControl(type: number, flags: number, body: Buffer): void {
    if (type === SYN_STREAM) {
      const id = body.readUInt32BE(0) & 0x7fffffff;
      const headers = this.inflateHeaders(body.subarray(10));
      this.lastStream = id;
      this.socket.write(controlFrame(SYN_REPLY, 0, Buffer.concat([u32(id), this.emptyHeaderBlock()])));
      this.events.onStream(id, headers);
      if (flags & FLAG_FIN) this.events.onData(id, Buffer.alloc(0), true);
    } else if (type === PING) {
      this.socket.write(controlFrame(PING, 0, body.subarray(0, 4)));
    } else if (type === RST_STREAM) {
      const id = body.readUInt32BE(0) & 0x7fffffff;
      this.finished.add(id);
      this.events.onReset?.(id);
    } else if (type === GOAWAY) {
      this.socket.end();
      this.finish();
    }
  }

  private inflateHeaders(block: Buffer): Map<string, string> {
    this.compressedIn = Buffer.concat([this.compressedIn, block]);
    // The client sync-flushes each block, so re-inflating the whole stream so far yields every block
    // complete; header blocks are few (one per stream), so the repeat costs little.
    const all = inflateSync(this.compressedIn, {
      dictionary: SPDY3_DICTIONARY,
      finishFlush: constants.Z_SYNC_FLUSH,
    });
    const out = all.subarray(this.inflatedUsed);
    this.inflatedUsed = all.length;
    const headers = new Map<string, string>();
    let off = 4;
    for (let n = out.readUInt32BE(0); n > 0; n--) {
      const klen = out.readUInt32BE(off);
      const key = out.subarray(off + 4, off + 4 + klen).toString('latin1');
      off += 4 + klen;
      const vlen = out.readUInt32BE(off);
      headers.set(key.toLowerCase(), out.subarray(off + 4, off + 4 + vlen).toString('latin1'));
      off += 4 + vlen;
    }
    return headers;
  }

  /**
   * An empty header block (zero pairs) for SYN_REPLY, as a stored deflate block of the outgoing zlib
   * stream: valid zlib the client's inflater reads like any other, with no compressor state to keep.
   */
  private emptyHeaderBlock(): Buffer {
    const raw = u32(0);
    const stored = Buffer.alloc(5);
    stored[0] = 0; // not final, stored
    stored.writeUInt16LE(raw.length, 1);
    stored.writeUInt16LE(~raw.length & 0xffff, 3);
    const zhead = this.deflateStarted ? Buffer.alloc(0) : Buffer.from([0x78, 0x01]);
    this.deflateStarted = true;
    // The empty stored block after it is Z_SYNC_FLUSH's marker: Go's inflater hands out a block's bytes
    // only when its window fills or such a block arrives, so without it the client waits for more.
    return Buffer.concat([zhead, stored, raw, Buffer.from([0, 0, 0, 0xff, 0xff])]);
  }
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function controlFrame(type: number, flags: number, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8003, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt32BE(body.length, 4);
  head[4] = flags;
  return Buffer.concat([head, body]);
}

function dataFrame(id: number, flags: number, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(id & 0x7fffffff, 0);
  head.writeUInt32BE(data.length, 4);
  head[4] = flags;
  return Buffer.concat([head, data]);
}
