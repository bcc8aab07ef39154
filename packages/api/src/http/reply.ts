import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type { Duplex, Readable, Writable } from 'node:stream';
import { errorReply } from './errors.js';

/**
 * How a handler answers, whether the request came as a plain HTTP request or as an `Upgrade: tcp`
 * request that Node hands over as a raw socket (Docker's hijacked attach).
 */
export interface Reply {
  readonly headersSent: boolean;
  /** Aborted when the client goes away before the answer is complete. */
  readonly signal: AbortSignal;
  json(status: number, body: unknown): void;
  empty(status: number, headers?: Record<string, string>): void;
  text(status: number, body: string, headers?: Record<string, string>): void;
  error(err: unknown): void;
  /** Sends the head of a streamed answer (101 UPGRADED on a hijacked socket, else `status`) and returns the body sink. */
  stream(contentType: string, status?: number, headers?: Record<string, string>): Writable;
  /** The request body, or on a hijacked socket what the client sends after the head (its stdin). */
  input(): Readable;
  /** Ends the answer; on a hijacked socket, closes the connection. */
  end(): void;
}

function jsonText(body: unknown): string {
  return JSON.stringify(body) + '\n';
}

export class HttpReply implements Reply {
  private readonly controller = new AbortController();

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    common: Record<string, string>,
  ) {
    for (const [k, v] of Object.entries(common)) res.setHeader(k, v);
    res.on('close', () => {
      if (!res.writableFinished) this.controller.abort();
    });
  }

  get headersSent(): boolean {
    return this.res.headersSent;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  json(status: number, body: unknown): void {
    const text = jsonText(body);
    this.res.writeHead(status, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(text),
    });
    this.res.end(text);
  }

  empty(status: number, headers: Record<string, string> = {}): void {
    this.res.writeHead(status, headers);
    this.res.end();
  }

  text(status: number, body: string, headers: Record<string, string> = {}): void {
    this.res.writeHead(status, { 'Content-Length': Buffer.byteLength(body), ...headers });
    this.res.end(this.req.method === 'HEAD' ? undefined : body);
  }

  error(err: unknown): void {
    const { status, body } = errorReply(err);
    if (status === 304) this.empty(304);
    else this.json(status, body);
  }

  stream(contentType: string, status = 200, headers: Record<string, string> = {}): Writable {
    this.res.writeHead(status, { ...headers, 'Content-Type': contentType });
    this.res.flushHeaders();
    return this.res;
  }

  input(): Readable {
    return this.req;
  }

  end(): void {
    if (!this.res.writableEnded) this.res.end();
  }
}

/** Answers on the raw socket of an upgraded request: HTTP heads are written by hand. */
export class SocketReply implements Reply {
  private readonly controller = new AbortController();
  private sent = false;

  constructor(
    private readonly socket: Duplex,
    head: Buffer,
    private readonly common: Record<string, string>,
  ) {
    if (head.length > 0) socket.unshift(head);
    // Interactive streams: send keystrokes and prompts as they come.
    if (socket instanceof Socket) socket.setNoDelay(true);
    socket.on('close', () => this.controller.abort());
    socket.on('error', () => this.controller.abort());
  }

  get headersSent(): boolean {
    return this.sent;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  private writeHead(status: number, reason: string, headers: Record<string, string>): void {
    this.sent = true;
    const lines = [`HTTP/1.1 ${status} ${reason}`];
    for (const [k, v] of Object.entries({ ...headers, ...this.common })) lines.push(`${k}: ${v}`);
    this.socket.write(lines.join('\r\n') + '\r\n\r\n');
  }

  private whole(status: number, body: string, headers: Record<string, string>): void {
    this.writeHead(status, STATUS_CODES[status] ?? 'Unknown', {
      ...headers,
      'Content-Length': String(Buffer.byteLength(body)),
      Connection: 'close',
    });
    this.socket.end(body);
  }

  json(status: number, body: unknown): void {
    this.whole(status, jsonText(body), { 'Content-Type': 'application/json' });
  }

  empty(status: number, headers: Record<string, string> = {}): void {
    this.whole(status, '', headers);
  }

  text(status: number, body: string, headers: Record<string, string> = {}): void {
    this.whole(status, body, headers);
  }

  error(err: unknown): void {
    const { status, body } = errorReply(err);
    if (status === 304) this.empty(304);
    else this.json(status, body);
  }

  stream(contentType: string): Writable {
    this.writeHead(101, 'UPGRADED', { 'Content-Type': contentType, Connection: 'Upgrade', Upgrade: 'tcp' });
    return this.socket;
  }

  input(): Readable {
    return this.socket;
  }

  end(): void {
    if (!this.socket.writableEnded) this.socket.end();
  }
}
