import type { Agent, ClientRequest, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { connectionError, errorFromResponse } from './errors.js';
import { bodyStream, fetchResponse, NATIVE_FETCH } from './fetch-wire.js';
import type { Endpoint } from './host.js';
import type { TlsRequestOptions } from './tls.js';

import { API_VERSION } from '@polis/core/api-version';

export { API_VERSION };

export type QueryValue = string | number | boolean | string[] | undefined;
export type Query = Record<string, QueryValue>;

export interface RequestOptions {
  query?: Query;
  /** A JSON body. */
  json?: unknown;
  /** A raw body, streamed as sent. */
  body?: Readable | Buffer;
  headers?: Record<string, string>;
  /** Aborting destroys the request (and its response, for streams). */
  signal?: AbortSignal;
}

/** The result of a hijack: the raw connection, and any bytes that arrived with the 101 response. */
export interface Hijacked {
  socket: Socket;
  head: Buffer;
  headers: IncomingMessage['headers'];
}

/** Docker's query encoding: `true` → `1`, `false` and undefined left out, arrays repeated. */
export function encodeQuery(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === false) continue;
    if (value === true) params.append(key, '1');
    else if (Array.isArray(value)) for (const v of value) params.append(key, v);
    else params.append(key, String(value));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

type Http = typeof import('node:http');
type Https = typeof import('node:https');
let http: Promise<Http> | undefined;
let https: Promise<Https> | undefined;

export async function readBody(res: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** HTTP over the daemon's socket (HTTPS to a tcp:// daemon with TLS). Every path is sent under `/v1.41`. */
export class Transport {
  readonly endpoint: Endpoint;
  // Keep-alive saves a connect per call; the agent unrefs idle sockets, so they never hold the process.
  // Made with the first request: node:http and node:https load only when a request needs them.
  private agent: Promise<Agent> | undefined;

  constructor(
    endpoint: Endpoint,
    private readonly tls?: TlsRequestOptions,
  ) {
    this.endpoint = endpoint;
  }

  private keepAliveAgent(): Promise<Agent> {
    this.agent ??= this.tls
      ? (https ??= import('node:https')).then((m) => new m.Agent({ keepAlive: true }))
      : (http ??= import('node:http')).then((m) => new m.Agent({ keepAlive: true }));
    return this.agent;
  }

  /** Sends a request and resolves with the response once its status is a success (2xx or 3xx). */
  async send(method: string, path: string, options: RequestOptions = {}): Promise<IncomingMessage> {
    const full = `/v${API_VERSION}${path}${encodeQuery(options.query)}`;
    const agent = await this.keepAliveAgent();
    const open = await this.opener();
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = open(method, full, options, agent);
      req.on('response', resolve);
      req.on('error', (err) => reject(connectionError(err, this.endpoint.host)));
      this.writeBody(req, options, reject);
    });
    if (res.statusCode !== undefined && res.statusCode >= 400) {
      throw errorFromResponse(res.statusCode, await readBody(res), path);
    }
    return res;
  }

  /** Sends a request and parses the JSON answer (undefined for an empty body). */
  async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const text = this.fetches(method, options)
      ? await this.fetchText(method, path, options)
      : await readBody(await this.send(method, path, options));
    return (text.trim() === '' ? undefined : JSON.parse(text)) as T;
  }

  /** Sends a request whose answer carries no body worth reading. */
  async empty(method: string, path: string, options: RequestOptions = {}): Promise<void> {
    if (this.fetches(method, options)) {
      await this.fetchText(method, path, options);
      return;
    }
    const res = await this.send(method, path, options);
    res.resume();
    await new Promise<void>((resolve, reject) => {
      res.on('end', resolve);
      res.on('error', reject);
    });
  }

  /**
   * Docker's hijack: asks for `Upgrade: tcp` and hands back the raw socket on 101. A daemon that answers
   * 200 instead streams on the response itself, which then stands in for the socket's readable side.
   */
  async hijack(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<Hijacked | IncomingMessage> {
    const full = `/v${API_VERSION}${path}${encodeQuery(options.query)}`;
    const headers: Record<string, string> = { ...options.headers, Connection: 'Upgrade', Upgrade: 'tcp' };
    // The daemon reads exactly Content-Length bytes of body off the hijacked connection: never chunked.
    const body = options.json === undefined ? undefined : Buffer.from(JSON.stringify(options.json));
    if (body) headers['Content-Length'] = String(body.length);
    const open = await this.opener();
    return new Promise((resolve, reject) => {
      const req = open(method, full, { ...options, headers }, false);
      req.on('upgrade', (res: IncomingMessage, socket: Socket, head: Buffer) =>
        resolve({ socket, head, headers: res.headers }),
      );
      req.on('response', (res: IncomingMessage) => {
        if (res.statusCode !== undefined && res.statusCode >= 400) {
          readBody(res).then(
            (body) => reject(errorFromResponse(res.statusCode as number, body, path)),
            reject,
          );
        } else resolve(res);
      });
      req.on('error', (err) => reject(connectionError(err, this.endpoint.host)));
      req.end(body);
    });
  }

  close(): void {
    void this.agent?.then((agent) => agent.destroy());
  }

  /** Whether a request goes through the native fetch: under Bun, over plain HTTP, with a body in hand. */
  private fetches(method: string, options: RequestOptions): boolean {
    return (
      NATIVE_FETCH &&
      this.tls === undefined &&
      (options.body === undefined || Buffer.isBuffer(options.body)) &&
      !((method === 'GET' || method === 'HEAD') && (options.body ?? options.json) !== undefined)
    );
  }

  /** A request through fetch, answered whole: the body's text, or the daemon's error rebuilt. */
  private async fetchText(method: string, path: string, options: RequestOptions): Promise<string> {
    const res = await this.fetchResponse(method, path, options);
    const text = await res.text();
    if (res.status >= 400) throw errorFromResponse(res.status, text, path);
    return text;
  }

  /**
   * Under Bun, a request whose answer streams back on the response itself (no hijack), through fetch:
   * its body as a Node Readable of Buffers, and its headers (lower-case names). Undefined where fetch is
   * not the transport (under Node, or with TLS): the caller then hijacks or uses `send`.
   */
  async fetchStream(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<{ body: Readable; headers: Record<string, string> } | undefined> {
    if (!this.fetches(method, options)) return undefined;
    const res = await this.fetchResponse(method, path, options);
    if (res.status >= 400) throw errorFromResponse(res.status, await res.text(), path);
    return { body: bodyStream(res), headers: Object.fromEntries(res.headers) };
  }

  /**
   * Sends a file as the request body and parses the JSON answer. Under Bun its fetch sends the file from
   * the kernel (sendfile: a 100 MiB volume backup costs the CLI ~0.02 s of CPU instead of ~0.5 s through
   * node:http); elsewhere it is streamed from a ReadStream. The file is opened first either way, so a
   * missing or unreadable one is the caller's error (ENOENT, EISDIR), never taken for the daemon's.
   */
  async jsonFromFile<T>(
    method: string,
    path: string,
    file: string,
    options: RequestOptions = {},
  ): Promise<T> {
    const fs = process.getBuiltinModule('node:fs');
    const fd = fs.openSync(file, 'r');
    try {
      if (fs.fstatSync(fd).isDirectory()) {
        throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read '${file}'`), {
          code: 'EISDIR',
        });
      }
    } finally {
      fs.closeSync(fd);
    }
    const bun = (globalThis as { Bun?: { file(path: string): Blob } }).Bun;
    if (bun && this.fetches(method, options)) {
      const res = await this.fetchResponse(method, path, options, bun.file(file));
      const text = await res.text();
      if (res.status >= 400) throw errorFromResponse(res.status, text, path);
      return (text.trim() === '' ? undefined : JSON.parse(text)) as T;
    }
    const body = fs.createReadStream(file, { highWaterMark: 1024 * 1024 });
    return this.json<T>(method, path, { ...options, body });
  }

  /**
   * Under Bun, the answer's body written into `file` by the runtime itself (`Bun.write` of the fetch
   * response: ~0.1 s of CPU for a 100 MiB backup, against ~0.4 s through node:http and a file sink);
   * rejects when the answer is cut short, leaving what came in `file` for the caller to remove. Resolves
   * false where fetch is not the transport: the caller streams the answer of `send` instead.
   */
  async downloadToFile(
    method: string,
    path: string,
    file: string,
    options: RequestOptions = {},
  ): Promise<boolean> {
    const bun = (globalThis as { Bun?: { write(dest: string, src: Response): Promise<number> } }).Bun;
    if (!bun || !this.fetches(method, options)) return false;
    const res = await this.fetchResponse(method, path, options);
    if (res.status >= 400) throw errorFromResponse(res.status, await res.text(), path);
    await bun.write(file, res);
    return true;
  }

  private fetchResponse(
    method: string,
    path: string,
    options: RequestOptions,
    blob?: Blob,
  ): Promise<Response> {
    return fetchResponse(
      this.endpoint,
      `/v${API_VERSION}${path}${encodeQuery(options.query)}`,
      method,
      options,
      blob,
    );
  }

  private async opener(): Promise<
    (method: string, path: string, options: RequestOptions, agent: Agent | false) => ClientRequest
  > {
    const { request } = await (http ??= import('node:http'));
    const tlsRequest = this.tls ? (await (https ??= import('node:https'))).request : undefined;
    return (method, path, options, agent) => {
      const headers: Record<string, string> = { ...options.headers };
      if (options.json !== undefined) headers['Content-Type'] = 'application/json';
      const { socketPath, hostname, port } = this.endpoint;
      const common = { method, path, headers, agent, signal: options.signal };
      if (socketPath !== undefined) return request({ ...common, socketPath, host: 'localhost' });
      if (tlsRequest) return tlsRequest({ ...common, ...this.tls, host: hostname, port });
      return request({ ...common, host: hostname, port });
    };
  }

  private writeBody(req: ClientRequest, options: RequestOptions, fail: (err: unknown) => void): void {
    if (options.json !== undefined) {
      req.end(JSON.stringify(options.json));
    } else if (Buffer.isBuffer(options.body)) {
      req.end(options.body);
    } else if (options.body) {
      const body = options.body;
      // A source error (an unreadable file) aborts the request and is the caller's error as it is.
      body.on('error', (err) => {
        fail(err);
        req.destroy();
      });
      body.pipe(req);
    } else {
      req.end();
    }
  }
}
