import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const MAX_FRAME = 16 * 1024 * 1024;

export type MessageListener = (data: Buffer) => void;

/**
 * A minimal RFC 6455 server end (Node 20 has no WebSocket server): the handshake, masked client frames
 * (fragments joined, ping answered, close echoed) and unmasked binary frames out. No extensions.
 */
export class WebSocketConnection {
  private buffered = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private closed = false;
  private readonly listeners = new Set<MessageListener>();
  private readonly closeListeners = new Set<() => void>();
  /** Messages that came before anyone listened (a client may write as soon as it has the 101). */
  private early: Buffer[] | undefined = [];

  constructor(
    private readonly socket: Duplex,
    head: Buffer = Buffer.alloc(0),
  ) {
    if (head.length > 0) this.onData(head);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('close', () => this.finish());
    socket.on('error', () => this.finish());
    // A client that went without a close frame (killed): its FIN ends the connection here too.
    socket.on('end', () => {
      socket.end();
      this.finish();
    });
  }

  onMessage(listener: MessageListener): void {
    this.listeners.add(listener);
    const early = this.early;
    if (!early) return;
    // Every listener registered in this turn (one per forwarded port) gets what came early.
    for (const message of early) listener(message);
    if (this.listeners.size === 1) queueMicrotask(() => (this.early = undefined));
  }

  onClose(listener: () => void): void {
    if (this.closed) listener();
    else this.closeListeners.add(listener);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  send(data: Buffer): void {
    if (!this.closed) this.socket.write(frame(0x2, data));
  }

  close(code = 1000): void {
    if (this.closed) return;
    const body = Buffer.alloc(2);
    body.writeUInt16BE(code);
    this.socket.end(frame(0x8, body));
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    for (const l of this.closeListeners) l();
    this.closeListeners.clear();
  }

  private onData(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    for (;;) {
      const parsed = parseFrame(this.buffered);
      if (parsed === undefined) return;
      if (parsed === 'too-big') {
        this.close(1009);
        return;
      }
      this.buffered = this.buffered.subarray(parsed.length);
      this.onFrame(parsed.fin, parsed.opcode, parsed.payload);
    }
  }

  private onFrame(fin: boolean, opcode: number, payload: Buffer): void {
    if (opcode === 0x8) {
      this.close(1000);
      return;
    }
    if (opcode === 0x9) {
      if (!this.closed) this.socket.write(frame(0xa, payload));
      return;
    }
    if (opcode === 0xa) return;
    this.fragments.push(payload);
    if (!fin) return;
    const message = Buffer.concat(this.fragments);
    this.fragments = [];
    if (this.listeners.size === 0) this.early?.push(message);
    else for (const l of this.listeners) l(message);
  }
}

function frame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.alloc(2) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  head[0] = 0x80 | opcode;
  if (len < 126) head[1] = len;
  else if (len < 65536) {
    head[1] = 126;
    head.writeUInt16BE(len, 2);
  } else {
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(len), 2);
  }
  return Buffer.concat([head, payload]);
}

function parseFrame(
  buf: Buffer,
): { fin: boolean; opcode: number; payload: Buffer; length: number } | 'too-big' | undefined {
  if (buf.length < 2) return undefined;
  const fin = (buf[0]! & 0x80) !== 0;
  const opcode = buf[0]! & 0x0f;
  const masked = (buf[1]! & 0x80) !== 0;
  let len = buf[1]! & 0x7f;
  let offset = 2;
  if (len === 126) {
    if (buf.length < 4) return undefined;
    len = buf.readUInt16BE(2);
    offset = 4;
  } else if (len === 127) {
    if (buf.length < 10) return undefined;
    const big = buf.readBigUInt64BE(2);
    if (big > BigInt(MAX_FRAME)) return 'too-big';
    len = Number(big);
    offset = 10;
  }
  if (len > MAX_FRAME) return 'too-big';
  const maskLen = masked ? 4 : 0;
  if (buf.length < offset + maskLen + len) return undefined;
  const payload = Buffer.from(buf.subarray(offset + maskLen, offset + maskLen + len));
  if (masked) {
    const mask = buf.subarray(offset, offset + 4);
    for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i % 4]!;
  }
  return { fin, opcode, payload, length: offset + maskLen + len };
}

/** Completes the handshake with the first of PROTOCOLS the client offers; undefined (and a 400) if none. */
export function acceptWebSocket(
  req: IncomingMessage,
  socket: Duplex,
  protocols: readonly string[],
  head: Buffer = Buffer.alloc(0),
): { ws: WebSocketConnection; protocol: string } | undefined {
  const key = req.headers['sec-websocket-key'];
  const offered = String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const protocol = protocols.find((p) => offered.includes(p));
  if (
    typeof key !== 'string' ||
    String(req.headers.upgrade ?? '').toLowerCase() !== 'websocket' ||
    !protocol
  ) {
    const why = protocol
      ? 'expected a websocket upgrade'
      : `no supported subprotocol (offer one of ${protocols.join(', ')}; or upgrade to SPDY/3.1)`;
    socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${why}\n`);
    return undefined;
  }
  const accept = createHash('sha1')
    .update(key + GUID)
    .digest('base64');
  socket.write(
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      `Sec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: ${protocol}\r\n\r\n`,
  );
  return { ws: new WebSocketConnection(socket, head), protocol };
}
