import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { createLogger, toPolisError } from '@polis/core';
import type { ChannelConnection } from './channel.js';
import { SPDY_PORTFORWARD_PROTOCOLS, acceptSpdy, upgradeSpdy, type ExpectedStreams } from './spdy.js';
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
/** How long a SPDY client may take to open its streams (kubelet's stream creation timeout). */
const STREAMS_TIMEOUT_MS = 30_000;

export interface StreamSession {
  kind: 'exec' | 'attach' | 'portforward';
  /** Exec and attach: the streams a SPDY client opens (the CRI request's flags). */
  streams?: ExpectedStreams;
  /** Runs the stream over an accepted connection; PROTOCOL is the negotiated subprotocol, URL the request's. */
  serve(ws: ChannelConnection, protocol: string, url: URL): Promise<void>;
  /** Port forwarding over SPDY, after the 101: its own stream pairs, until the client closes. */
  serveSpdy?(socket: Duplex, head: Buffer): Promise<void>;
}

/**
 * The CRI's streaming server: Exec, Attach and PortForward answer a one-time URL here, and the client
 * (kubelet's proxy, kubectl, a test) upgrades it to a websocket (`v4.channel.k8s.io` and kin) or to
 * SPDY/3.1 (`v4.channel.k8s.io` for exec and attach, `portforward.k8s.io`), as kubelet's server does.
 */
export class StreamingServer {
  private readonly server: Server;
  private readonly sessions = new Map<string, { session: StreamSession; timer: NodeJS.Timeout }>();
  private base = '';
  /** Upgraded sockets: the HTTP server no longer tracks them, and a half-open one would hold close(). */
  private readonly upgraded = new Set<Duplex>();

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
    this.upgraded.add(socket);
    socket.on('close', () => this.upgraded.delete(socket));
    const [, kind = '', token = ''] = (req.url ?? '').split('?')[0]!.split('/');
    const entry = this.sessions.get(token);
    if (!entry || entry.session.kind !== kind) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\nunknown or expired stream\n');
      return;
    }
    if (String(req.headers.upgrade ?? '').toLowerCase() === 'spdy/3.1') {
      this.onSpdy(req, socket, head, token);
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

  /** kubelet's SPDY path (its streaming proxy, older kubectl): the session runs once its streams are open. */
  private onSpdy(req: IncomingMessage, socket: Duplex, head: Buffer, token: string): void {
    const entry = this.sessions.get(token)!;
    const { kind, streams, serveSpdy } = entry.session;
    if (serveSpdy) {
      if (!upgradeSpdy(req, socket, SPDY_PORTFORWARD_PROTOCOLS)) return;
      this.sessions.delete(token);
      clearTimeout(entry.timer);
      serveSpdy(socket, head).catch((err) => {
        log.warn('stream failed', { kind, err: toPolisError(err) });
        socket.destroy();
      });
      return;
    }
    if (!streams) {
      socket.end(
        'HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n' +
          `SPDY is not served for ${kind}; upgrade to a websocket (${CHANNEL_PROTOCOLS[1]})\n`,
      );
      return;
    }
    const accepted = acceptSpdy(req, socket, head, streams);
    if (!accepted) return;
    this.sessions.delete(token);
    clearTimeout(entry.timer);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const { conn, protocol } = accepted;
    void conn.streamsReady(STREAMS_TIMEOUT_MS).then((ready) => {
      if (!ready) {
        log.warn('SPDY client did not open its streams', { kind });
        conn.close();
        return;
      }
      entry.session.serve(conn, protocol, url).catch((err) => {
        log.warn('stream failed', { kind, err: toPolisError(err) });
        conn.close();
      });
    });
  }

  async close(): Promise<void> {
    for (const { timer } of this.sessions.values()) clearTimeout(timer);
    this.sessions.clear();
    for (const socket of this.upgraded) socket.destroy();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
