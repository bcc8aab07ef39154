import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { createLogger, toPolisError } from '@polis/core';
import { acceptWebSocket } from './websocket.js';

const log = createLogger('cri-streaming');

/** The remotecommand websocket protocols, best first (framed alike; v5 adds the close channel 255). */
export const CHANNEL_PROTOCOLS = [
  'v5.channel.k8s.io',
  'v4.channel.k8s.io',
  'v3.channel.k8s.io',
  'v2.channel.k8s.io',
  'channel.k8s.io',
];

/** How long a URL handed out by Exec or Attach may wait for its client (kubelet's stream request timeout). */
const TOKEN_TTL_MS = 60_000;

export interface StreamSession {
  kind: 'exec' | 'attach' | 'portforward';
  /** Runs the stream over an accepted websocket; PROTOCOL is the negotiated subprotocol, URL the request's. */
  serve(ws: import('./websocket.js').WebSocketConnection, protocol: string, url: URL): Promise<void>;
}

/**
 * The CRI's streaming server: Exec and Attach answer a one-time URL here, and the client (kubelet's
 * proxy, kubectl, a test) upgrades it to a websocket speaking `v4.channel.k8s.io`.
 */
export class StreamingServer {
  private readonly server: Server;
  private readonly sessions = new Map<string, { session: StreamSession; timer: NodeJS.Timeout }>();
  private base = '';

  constructor() {
    this.server = createServer((_req, res) => {
      res.writeHead(400, { 'Content-Type': 'text/plain' });
      res.end('CRI streaming: upgrade to a websocket (v4.channel.k8s.io)\n');
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.onUpgrade(req, socket, head),
    );
  }

  async listen(address: string, port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, address, () => resolve());
    });
    const a = this.server.address() as AddressInfo;
    this.base = `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
  }

  /** A one-time URL for SESSION. */
  register(session: StreamSession): string {
    const token = randomBytes(18).toString('base64url');
    const timer = setTimeout(() => this.sessions.delete(token), TOKEN_TTL_MS);
    timer.unref();
    this.sessions.set(token, { session, timer });
    return `${this.base}/${session.kind}/${token}`;
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const [, kind = '', token = ''] = (req.url ?? '').split('?')[0]!.split('/');
    const entry = this.sessions.get(token);
    if (!entry || entry.session.kind !== kind) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\nunknown or expired stream\n');
      return;
    }
    const accepted = acceptWebSocket(req, socket, CHANNEL_PROTOCOLS, head);
    if (!accepted) return;
    this.sessions.delete(token);
    clearTimeout(entry.timer);
    const url = new URL(req.url ?? '/', 'http://localhost');
    entry.session.serve(accepted.ws, accepted.protocol, url).catch((err) => {
      log.warn('stream failed', { kind, err: toPolisError(err) });
      accepted.ws.close(1011);
    });
  }

  async close(): Promise<void> {
    for (const { timer } of this.sessions.values()) clearTimeout(timer);
    this.sessions.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
