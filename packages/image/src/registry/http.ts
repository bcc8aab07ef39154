import { readFileSync } from 'node:fs';
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import { PolisError } from '@polis/core';

export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: URL;
  headers?: Record<string, string>;
  /** A body to send; streams are sent as they come (uploads of large blobs). */
  body?: Buffer | AsyncIterable<Uint8Array>;
  /** Skips certificate checks: only for registries the daemon lists as insecure. */
  insecureTls?: boolean;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The URL that answered (after redirects). */
  url: URL;
  body: IncomingMessage;
}

const SYSTEM_CA_FILE = '/etc/ssl/certs/ca-certificates.crt';
let caCache: string[] | undefined;

/** Node's bundled roots plus the system's store, so registries signed by a local CA work as in Docker. */
function trustedCas(): string[] {
  if (!caCache) {
    let system: string[] = [];
    try {
      system = [readFileSync(SYSTEM_CA_FILE, 'utf8')];
    } catch {
      system = [];
    }
    caCache = [...rootCertificates, ...system];
  }
  return caCache;
}

const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 16 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 16 }),
  insecure: new https.Agent({ keepAlive: true, maxSockets: 16, rejectUnauthorized: false }),
};

/** How long a registry may stay silent (connecting, before headers, between body chunks). */
export const IDLE_TIMEOUT_MS = 60_000;
const MAX_REDIRECTS = 5;

/** One HTTP exchange, following redirects for GET and HEAD (blob downloads land on a CDN). */
export async function send(request: HttpRequest): Promise<HttpResponse> {
  let url = request.url;
  let headers = { ...request.headers };
  for (let hop = 0; ; hop++) {
    const response = await once({ ...request, url, headers });
    const location = response.headers.location;
    const redirect = [301, 302, 303, 307, 308].includes(response.status) && location !== undefined;
    if (!redirect || (request.method !== 'GET' && request.method !== 'HEAD')) return response;
    response.body.resume();
    if (hop >= MAX_REDIRECTS) {
      throw new PolisError('registry.protocol', `too many redirects from ${request.url.host}`);
    }
    const next = new URL(location, url);
    // Credentials are for the registry only: a blob store elsewhere gets a signed URL instead, and
    // a hop to another scheme or port (plain HTTP above all, where anyone on the path reads them)
    // is another origin even on the same host name.
    if (next.origin !== url.origin) headers = withoutAuthorization(headers);
    url = next;
  }
}

function withoutAuthorization(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() !== 'authorization') out[k] = v;
  return out;
}

function once(request: HttpRequest): Promise<HttpResponse> {
  const { url } = request;
  const secure = url.protocol === 'https:';
  const options: https.RequestOptions = {
    method: request.method,
    headers: { 'user-agent': 'polis', ...request.headers },
    agent: secure ? (request.insecureTls ? agents.insecure : agents.https) : agents.http,
    timeout: IDLE_TIMEOUT_MS,
  };
  if (secure && !request.insecureTls) options.ca = trustedCas();
  if (request.signal) options.signal = request.signal;
  return new Promise<HttpResponse>((resolve, reject) => {
    const req = (secure ? https : http).request(url, options, (res) => {
      res.setTimeout(IDLE_TIMEOUT_MS, () =>
        res.destroy(unavailable(url, new Error('the registry stopped sending data'))),
      );
      resolve({ status: res.statusCode ?? 0, headers: res.headers, url, body: res });
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (err) => reject(unavailable(url, err)));
    const body = request.body;
    if (body === undefined) req.end();
    else if (Buffer.isBuffer(body)) req.end(body);
    else void pump(body, req).catch((err: unknown) => req.destroy(err as Error));
  });
}

async function pump(body: AsyncIterable<Uint8Array>, req: http.ClientRequest): Promise<void> {
  for await (const chunk of body) {
    if (req.destroyed) return;
    if (!req.write(chunk)) {
      // The request's own error handler reports failures; a destroyed request releases the wait.
      await new Promise<void>((resolve) => {
        const done = (): void => {
          req.off('drain', done);
          req.off('close', done);
          resolve();
        };
        req.on('drain', done);
        req.on('close', done);
      });
    }
  }
  req.end();
}

function unavailable(url: URL, err: Error): PolisError {
  if (err instanceof PolisError) return err;
  return new PolisError('registry.unavailable', `cannot reach ${url.host}: ${err.message}`, {
    cause: err,
    context: { url: url.origin, errno: (err as NodeJS.ErrnoException).code },
  });
}

/** Reads a whole (small) response body, refusing more than `limit` bytes. */
export async function readBody(response: HttpResponse, limit: number): Promise<Buffer> {
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    response.body.destroy();
    throw tooLarge(response, limit);
  }
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of response.body as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > limit) {
      response.body.destroy();
      throw tooLarge(response, limit);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function tooLarge(response: HttpResponse, limit: number): PolisError {
  return new PolisError(
    'image.manifest_invalid',
    `${response.url.pathname} from ${response.url.host} is larger than the ${limit} bytes allowed`,
  );
}

/** Discards a response body so its connection can be reused. */
export function drain(response: HttpResponse): void {
  response.body.resume();
}
