import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HostileObject {
  contentType: string;
  body: Buffer;
}

const digestOf = (body: Buffer): string => `sha256:${createHash('sha256').update(body).digest('hex')}`;

/**
 * A tiny HTTP server speaking just enough of the registry API (/v2/, manifests and blobs by path,
 * GET and HEAD) to serve content a real registry refuses to store, e.g. a manifest whose
 * Content-Type and mediaType lie about what it holds. Only for those cases: everything a real
 * registry can be made to serve goes through TestRegistry.
 */
export class HostileRegistry {
  private constructor(
    /** Requests as `METHOD path`, in order. */
    readonly requests: string[],
    private readonly server: Server,
    readonly host: string,
    private readonly objects: Map<string, HostileObject>,
  ) {}

  static async start(): Promise<HostileRegistry> {
    const objects = new Map<string, HostileObject>();
    const requests: string[] = [];
    const server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://hostile').pathname;
      requests.push(`${req.method} ${path}`);
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
      res.writeHead(200, {
        'Content-Type': obj.contentType,
        'Content-Length': obj.body.length,
        'Docker-Content-Digest': digestOf(obj.body),
      });
      res.end(req.method === 'HEAD' ? undefined : obj.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return new HostileRegistry(requests, server, `127.0.0.1:${port}`, objects);
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

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
