import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export type HostileObject =
  | { contentType: string; body: Buffer }
  /** A 307 to `location` (a blob store, or a plain-HTTP trap). */
  | { redirect: string }
  /** `bytes` bytes of zeros, chunked (no Content-Length), whatever the descriptor said. */
  | { endless: number };

export interface HostileOptions {
  /** Default 127.0.0.1. */
  address?: string;
  /** Default: any free port. */
  port?: number;
  /** Serves HTTPS with this certificate and key (PEM). */
  tls?: { cert: string; key: string };
  /** `user:password`: every request without that Basic credential gets a 401 Basic challenge. */
  basicAuth?: string;
}

/** What the server saw of one request. */
export interface SeenRequest {
  method: string;
  path: string;
  authorization: string | undefined;
}

const digestOf = (body: Buffer): string => `sha256:${createHash('sha256').update(body).digest('hex')}`;

/**
 * A tiny HTTP server speaking just enough of the registry API (/v2/, manifests and blobs by path,
 * GET and HEAD) to serve content a real registry refuses to store, e.g. a manifest whose
 * Content-Type and mediaType lie about what it holds. Only for those cases: everything a real
 * registry can be made to serve goes through TestRegistry.
 */
export class HostileRegistry {
  /** Bytes sent of `endless` bodies so far. */
  sentBytes = 0;

  private constructor(
    /** Requests as `METHOD path`, in order. */
    readonly requests: string[],
    /** The same requests with the credentials they carried. */
    readonly seen: SeenRequest[],
    private readonly server: Server,
    readonly host: string,
    private readonly objects: Map<string, HostileObject>,
  ) {}

  static async start(options: HostileOptions = {}): Promise<HostileRegistry> {
    const objects = new Map<string, HostileObject>();
    const requests: string[] = [];
    const seen: SeenRequest[] = [];
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      const path = new URL(req.url ?? '/', 'http://hostile').pathname;
      requests.push(`${req.method} ${path}`);
      seen.push({ method: req.method ?? '', path, authorization: req.headers.authorization });
      const expected = options.basicAuth && `Basic ${Buffer.from(options.basicAuth).toString('base64')}`;
      if (expected && req.headers.authorization !== expected) {
        res.writeHead(401, {
          'WWW-Authenticate': 'Basic realm="hostile"',
          'Content-Type': 'application/json',
        });
        res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
        return;
      }
      if (path === '/v2/' || path === '/v2') {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
        return;
      }
      const obj = objects.get(path);
      if (!obj) {
        res.writeHead(404, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }));
        return;
      }
      if ('redirect' in obj) {
        res.writeHead(307, { Location: obj.redirect }).end();
        return;
      }
      if ('endless' in obj) {
        res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
        streamZeros(res, obj.endless, (n) => (hostile.sentBytes += n));
        return;
      }
      res.writeHead(200, {
        'Content-Type': obj.contentType,
        'Content-Length': obj.body.length,
        'Docker-Content-Digest': digestOf(obj.body),
      });
      res.end(req.method === 'HEAD' ? undefined : obj.body);
    };
    const server = options.tls ? createTlsServer(options.tls, handler) : createServer(handler);
    await new Promise<void>((resolve) =>
      server.listen(options.port ?? 0, options.address ?? '127.0.0.1', resolve),
    );
    const { port, address } = server.address() as AddressInfo;
    const hostile = new HostileRegistry(requests, seen, server, `${address}:${port}`, objects);
    return hostile;
  }

  /** Serves `body` as the manifest `repo:ref` (and under its digest) with the given Content-Type. */
  manifest(repo: string, ref: string, contentType: string, body: unknown): string {
    const data = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const digest = digestOf(data);
    for (const r of [ref, digest])
      this.objects.set(`/v2/${repo}/manifests/${r}`, { contentType, body: data });
    return digest;
  }

  /** Serves a blob under its digest. */
  blob(repo: string, data: Buffer, contentType = 'application/octet-stream'): string {
    const digest = digestOf(data);
    this.objects.set(`/v2/${repo}/blobs/${digest}`, { contentType, body: data });
    return digest;
  }

  /** Answers `path` with a 307 to `location`. */
  redirect(path: string, location: string): void {
    this.objects.set(path, { redirect: location });
  }

  /** Serves `bytes` bytes of zeros at `/v2/repo/blobs/digest`, far more than its descriptor says. */
  endlessBlob(repo: string, digest: string, bytes: number): void {
    this.objects.set(`/v2/${repo}/blobs/${digest}`, { endless: bytes });
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Writes `total` zero bytes at the pace the peer reads them, counting what went out. */
function streamZeros(res: ServerResponse, total: number, sent: (n: number) => void): void {
  const chunk = Buffer.alloc(64 * 1024);
  let left = total;
  const write = (): void => {
    while (left > 0 && !res.destroyed) {
      const n = Math.min(left, chunk.length);
      left -= n;
      sent(n);
      if (!res.write(chunk.subarray(0, n))) {
        res.once('drain', write);
        return;
      }
    }
    if (!res.destroyed) res.end();
  };
  write();
}
