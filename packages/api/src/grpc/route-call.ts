import type { IncomingMessage } from 'node:http';
import { Readable, Writable } from 'node:stream';
import { PolisError } from '@polis/core';
import type { Reply } from '../http/reply.js';
import type { Router } from '../http/router.js';
import { API_VERSION } from '../types.js';

export interface RouteAnswer {
  status: number;
  /** The JSON body (undefined for an empty answer); a streamed body is parsed as its last JSON line. */
  body: unknown;
}

/**
 * Collects a handler's answer in memory. Errors thrown by the handler reach the caller as they are (the
 * gRPC layer maps them with core's table), so nothing goes through Docker's HTTP error body.
 */
class CapturedReply implements Reply {
  headersSent = false;
  private readonly chunks: Buffer[] = [];
  private partial = '';

  constructor(
    readonly signal: AbortSignal,
    private readonly body: Readable,
    private readonly done: (answer: RouteAnswer) => void,
    private readonly onLine?: (line: unknown) => void,
  ) {}

  json(status: number, body: unknown): void {
    this.headersSent = true;
    this.done({ status, body });
  }

  empty(status: number): void {
    this.headersSent = true;
    this.done({ status, body: undefined });
  }

  text(status: number, body: string): void {
    this.headersSent = true;
    this.done({ status, body });
  }

  error(err: unknown): void {
    throw err;
  }

  stream(_contentType: string, status = 200): Writable {
    this.headersSent = true;
    const chunks = this.chunks;
    return new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        if (this.onLine) this.lines(Buffer.from(chunk).toString('utf8'));
        else chunks.push(Buffer.from(chunk));
        callback();
      },
      final: (callback) => {
        this.finish(status);
        callback();
      },
    });
  }

  input(): Readable {
    return this.body;
  }

  end(): void {
    this.finish(200);
  }

  /** JSON-lines answers (progress, events) are handed over line by line as they are written. */
  private lines(text: string): void {
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop() ?? '';
    for (const part of parts) if (part.trim() !== '') this.onLine?.(JSON.parse(part));
  }

  private finish(status: number): void {
    const lines = Buffer.concat(this.chunks).toString('utf8').trim().split('\n');
    const last = lines[lines.length - 1] ?? '';
    this.done({ status, body: last === '' ? undefined : JSON.parse(last) });
  }
}

export interface RouteRequest {
  method: string;
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** A JSON body, sent as the REST client would. */
  json?: unknown;
  /** The body's text as the client gave it (gRPC's `*_json` fields); bad JSON is the route's 400. */
  body?: string;
  signal: AbortSignal;
  headers?: Record<string, string>;
  /** Streams a JSON-lines answer line by line instead of keeping its last line. */
  onLine?: (line: unknown) => void;
}

/**
 * Calls the REST handler of a route in-process. The gRPC unary calls that have a REST twin go through
 * here, so both transports run the same code (validation, Docker shapes, events) and cannot drift.
 */
export async function callRoute(router: Router, request: RouteRequest): Promise<RouteAnswer> {
  const match = router.match(request.method, request.path);
  if (!match)
    throw new PolisError('request.unknown_route', 'page not found', { context: { path: request.path } });
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(request.query ?? {})) if (v !== undefined) query.set(k, String(v));
  const text = request.body ?? (request.json === undefined ? '' : JSON.stringify(request.json));
  const body = Readable.from(text === '' ? [] : [Buffer.from(text)]);
  const req = Object.assign(body, {
    method: request.method,
    url: request.path,
    headers: {
      ...request.headers,
      ...(text === ''
        ? {}
        : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) }),
    },
  }) as unknown as IncomingMessage;
  return new Promise<RouteAnswer>((resolve, reject) => {
    let answered = false;
    const reply = new CapturedReply(
      request.signal,
      body,
      (a) => {
        if (answered) return;
        answered = true;
        resolve(a);
      },
      request.onLine,
    );
    // A handler that throws before answering (sync or async) fails the call with its error.
    new Promise<void>((run) =>
      run(match.handler({ req, reply, params: match.params, query, version: API_VERSION })),
    )
      .then(() => {
        if (!answered) reply.end();
      })
      .catch(reject);
  });
}
