import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ChannelConnection } from './channel.js';
import { SpdyConnection } from './spdy-connection.js';

/** remotecommand's stream types and the channel numbers the websocket protocol gives them. */
const CHANNELS: Record<string, number> = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4 };
const STDIN = 0;
const RESIZE = 4;

/** Which streams a remotecommand client opens for a request (kubelet's `waitStreamReply` set). */
export interface ExpectedStreams {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

function expectedChannels(e: ExpectedStreams): number[] {
  const want = [CHANNELS.error!];
  if (e.stdin) want.push(STDIN);
  if (e.stdout) want.push(CHANNELS.stdout!);
  if (e.stderr && !e.tty) want.push(CHANNELS.stderr!);
  if (e.tty) want.push(RESIZE);
  return want;
}

/**
 * remotecommand (exec, attach) over SPDY: the client opens one stream per channel, named by its
 * `streamtype` header; they are mapped onto the numbered channels of `v4.channel.k8s.io`, so exec and
 * attach have one code path for websockets and SPDY.
 */
export class SpdyChannelConnection implements ChannelConnection {
  private readonly conn: SpdyConnection;
  private readonly streams = new Map<number, number>(); // channel -> stream id
  private readonly channelOf = new Map<number, number>(); // stream id -> channel
  private readonly listeners = new Set<(data: Buffer) => void>();
  /** Messages that came before the session listened (stdin sent as soon as the streams opened). */
  private early: Buffer[] | undefined = [];
  private resizeLine = '';
  private ready?: () => void;

  constructor(
    socket: Duplex,
    head: Buffer,
    private readonly want: number[],
  ) {
    this.conn = new SpdyConnection(
      socket,
      {
        onStream: (id, headers) => this.onStream(id, headers),
        onData: (id, data, fin) => this.onData(id, data, fin),
        onReset: (id) => this.onData(id, Buffer.alloc(0), true),
      },
      head,
    );
  }

  /** Resolves once every expected stream is open (false if the connection ended or time ran out). */
  streamsReady(timeoutMs: number): Promise<boolean> {
    if (this.haveAll()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      timer.unref();
      this.ready = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.conn.onClose(() => {
        clearTimeout(timer);
        resolve(false);
      });
    });
  }

  onMessage(listener: (data: Buffer) => void): void {
    this.listeners.add(listener);
    const early = this.early;
    if (!early) return;
    // As on the websocket: each listener registered in this turn gets what came before the session.
    for (const message of early) listener(message);
    if (this.listeners.size === 1) queueMicrotask(() => (this.early = undefined));
  }

  onClose(listener: () => void): void {
    this.conn.onClose(listener);
  }

  get isClosed(): boolean {
    return this.conn.isClosed;
  }

  send(data: Buffer): void {
    const id = this.streams.get(data[0]!);
    if (id !== undefined) this.conn.write(id, data.subarray(1));
  }

  /** Half-closes every stream (the client reads each to EOF), then GOAWAY. */
  close(): void {
    for (const id of this.streams.values()) this.conn.end(id);
    this.conn.close();
  }

  private haveAll(): boolean {
    return this.want.every((c) => this.streams.has(c));
  }

  private deliver(message: Buffer): void {
    if (this.listeners.size === 0) this.early?.push(message);
    else for (const l of this.listeners) l(message);
  }

  private onStream(id: number, headers: Map<string, string>): void {
    const channel = CHANNELS[headers.get('streamtype') ?? ''];
    if (channel === undefined) {
      this.conn.reset(id);
      return;
    }
    this.streams.set(channel, id);
    this.channelOf.set(id, channel);
    if (this.ready && this.haveAll()) this.ready();
  }

  private onData(id: number, data: Buffer, fin: boolean): void {
    const channel = this.channelOf.get(id);
    if (channel === STDIN && data.length > 0) this.deliver(Buffer.concat([Buffer.from([STDIN]), data]));
    else if (channel === RESIZE) {
      // The client's json.Encoder writes one {"Width":..,"Height":..} object per line.
      this.resizeLine += data.toString();
      const lines = this.resizeLine.split('\n');
      this.resizeLine = lines.pop() ?? '';
      for (const line of lines)
        if (line.trim()) this.deliver(Buffer.concat([Buffer.from([RESIZE]), Buffer.from(line)]));
    }
    // The end of the client's stdin is an empty stdin message, as in the websocket protocol.
    if (fin && channel === STDIN) this.deliver(Buffer.from([STDIN]));
  }
}

/** The remotecommand protocols served over SPDY (v4's error stream carries a JSON Status). */
export const SPDY_REMOTECOMMAND_PROTOCOLS = ['v4.channel.k8s.io'];
/** kubelet's port-forward protocol over SPDY (a data and an error stream per connection). */
export const SPDY_PORTFORWARD_PROTOCOLS = ['portforward.k8s.io'];

/**
 * Answers a `Upgrade: SPDY/3.1` request with 101 and the first of PROTOCOLS the client offers in
 * `X-Stream-Protocol-Version`; undefined (and a 400) if it offers none.
 */
export function upgradeSpdy(
  req: IncomingMessage,
  socket: Duplex,
  protocols: readonly string[],
): string | undefined {
  const offered = String(req.headers['x-stream-protocol-version'] ?? '')
    .split(',')
    .map((p) => p.trim());
  const protocol = protocols.find((p) => offered.includes(p));
  if (!protocol) {
    socket.end(
      'HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n' +
        `no supported X-Stream-Protocol-Version (offer one of ${protocols.join(', ')})\n`,
    );
    return undefined;
  }
  socket.write(
    'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n' +
      `X-Stream-Protocol-Version: ${protocol}\r\n\r\n`,
  );
  return protocol;
}

/** remotecommand over SPDY: the 101, then the channel mapping for the streams EXPECTED. */
export function acceptSpdy(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  expected: ExpectedStreams,
): { conn: SpdyChannelConnection; protocol: string } | undefined {
  const protocol = upgradeSpdy(req, socket, SPDY_REMOTECOMMAND_PROTOCOLS);
  if (!protocol) return undefined;
  return { conn: new SpdyChannelConnection(socket, head, expectedChannels(expected)), protocol };
}
