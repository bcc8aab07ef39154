import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { isPolisError } from '@polis/core';
import { authorize, type RegistryCredentials } from './auth.js';
import type { Endpoint } from './endpoints.js';
import { registryFailure } from './failure.js';
import { drain, readBody, send, type HttpRequest, type HttpResponse } from './http.js';

/** containerd's limit for manifests and indexes; a larger document is refused unread. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const ATTEMPTS = 3;
const BACKOFF_MS = 250;

/** Hosts of insecure registries that turned out to speak plain HTTP. */
const plainHttp = new Set<string>();

export interface FetchedManifest {
  data: Buffer;
  /** The Content-Type the registry sent. */
  contentType: string;
  /** sha256 of `data`, computed here. */
  digest: string;
}

interface RequestOptions {
  headers?: Record<string, string>;
  body?: Buffer | AsyncIterable<Uint8Array>;
  signal?: AbortSignal;
}

/**
 * One repository on one registry endpoint (OCI distribution spec). Answers a 401 by authenticating
 * (Basic, or a bearer token for this repository's scope) and retrying; retries transient failures
 * of requests whose bodies can be sent again.
 */
export class RepositoryClient {
  private authorization: string | undefined;
  private base: URL;

  constructor(
    readonly endpoint: Endpoint,
    readonly repository: string,
    private readonly credentials: RegistryCredentials | undefined,
    private readonly actions: 'pull' | 'pull,push',
  ) {
    this.base = new URL(endpoint.base);
    if (endpoint.insecure && plainHttp.has(this.base.host)) this.base.protocol = 'http:';
  }

  get host(): string {
    return this.endpoint.base.host;
  }

  /** `GET /v2/`: succeeds when the registry answers and accepts the credentials. */
  async ping(): Promise<void> {
    const response = await this.request('GET', '/v2/', {}, []);
    drain(response);
    if (response.status !== 200) throw await registryFailure(response, 'ping');
  }

  async getManifest(
    reference: string,
    accept: readonly string[],
    signal?: AbortSignal,
  ): Promise<FetchedManifest> {
    const response = await this.request('GET', this.path('manifests', reference), {
      headers: { accept: accept.join(', ') },
      ...(signal ? { signal } : {}),
    });
    if (response.status !== 200) throw await registryFailure(response, 'manifest', reference);
    const data = await readBody(response, MAX_MANIFEST_BYTES);
    const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
    const contentType =
      String(response.headers['content-type'] ?? '')
        .split(';')[0]
        ?.trim() ?? '';
    return { data, contentType, digest };
  }

  /** The blob's response; a 200 whose body the caller reads (and verifies). */
  async getBlob(digest: string, signal?: AbortSignal): Promise<HttpResponse> {
    const response = await this.request('GET', this.path('blobs', digest), signal ? { signal } : {});
    if (response.status !== 200) throw await registryFailure(response, 'blob', digest);
    return response;
  }

  async hasBlob(digest: string): Promise<boolean> {
    const response = await this.request('HEAD', this.path('blobs', digest), {});
    drain(response);
    if (response.status === 200) return true;
    if (response.status === 404) return false;
    throw await registryFailure(response, 'blob', digest);
  }

  /** Uploads a blob in one PUT after opening an upload session (the spec's monolithic upload). */
  async uploadBlob(digest: string, size: number, body: AsyncIterable<Uint8Array>): Promise<void> {
    const started = await this.request('POST', `${this.path('blobs', 'uploads')}/`, {
      headers: { 'content-length': '0' },
    });
    drain(started);
    const location = started.headers.location;
    if (started.status !== 202 || location === undefined) {
      throw await registryFailure(started, 'upload', digest);
    }
    const url = new URL(location, this.base);
    url.searchParams.set('digest', digest);
    const put = await this.request('PUT', url.pathname + url.search, {
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
      body,
    });
    drain(put);
    if (put.status !== 201) throw await registryFailure(put, 'upload', digest);
  }

  /** Stores a manifest under a tag or digest; returns the digest the registry reports. */
  async putManifest(reference: string, data: Buffer, mediaType: string): Promise<string> {
    const response = await this.request('PUT', this.path('manifests', reference), {
      headers: { 'content-type': mediaType },
      body: data,
    });
    drain(response);
    if (response.status !== 201) throw await registryFailure(response, 'manifest', reference);
    const computed = `sha256:${createHash('sha256').update(data).digest('hex')}`;
    return String(response.headers['docker-content-digest'] ?? computed);
  }

  private path(kind: 'manifests' | 'blobs', reference: string): string {
    return `/v2/${this.repository}/${kind}/${reference}`;
  }

  private async request(
    method: HttpRequest['method'],
    path: string,
    options: RequestOptions,
    scopes: string[] = [`repository:${this.repository}:${this.actions}`],
  ): Promise<HttpResponse> {
    const replayable = options.body === undefined || Buffer.isBuffer(options.body);
    let authenticated = false;
    for (let attempt = 1; ; attempt++) {
      const headers = { ...options.headers };
      if (this.authorization) headers.authorization = this.authorization;
      let response: HttpResponse;
      try {
        response = await send({
          method,
          url: new URL(path, this.base),
          headers,
          insecureTls: this.endpoint.insecure,
          ...(options.body !== undefined ? { body: options.body } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        });
      } catch (err) {
        if (this.fallBackToHttp(err)) continue;
        if (replayable && attempt < ATTEMPTS && isPolisError(err, 'registry.unavailable')) {
          await sleep(BACKOFF_MS * 4 ** (attempt - 1));
          continue;
        }
        throw err;
      }
      if (response.status === 401 && !authenticated && replayable) {
        authenticated = true;
        drain(response);
        this.authorization = await authorize(response, this.credentials, scopes, this.endpoint.insecure);
        continue;
      }
      const transient = response.status >= 500 || response.status === 429;
      if (transient && replayable && attempt < ATTEMPTS) {
        drain(response);
        await sleep(BACKOFF_MS * 4 ** (attempt - 1));
        continue;
      }
      return response;
    }
  }

  /** An insecure registry that does not speak TLS is asked again over plain HTTP, as Docker does. */
  private fallBackToHttp(err: unknown): boolean {
    if (!this.endpoint.insecure || this.base.protocol !== 'https:') return false;
    if (!isPolisError(err, 'registry.unavailable') || !isTlsFailure(err.context.errno)) return false;
    this.base.protocol = 'http:';
    plainHttp.add(this.base.host);
    return true;
  }
}

/**
 * Whether a connection failed in the TLS handshake, told by the socket's error code: a plain-HTTP
 * server answers a ClientHello with bytes OpenSSL rejects (EPROTO, "wrong version number") or closes
 * the connection (ECONNRESET); Node's own TLS checks use ERR_SSL_* and ERR_TLS_* codes.
 */
export function isTlsFailure(errno: unknown): boolean {
  if (typeof errno !== 'string') return false;
  return (
    errno === 'EPROTO' ||
    errno === 'ECONNRESET' ||
    errno.startsWith('ERR_SSL_') ||
    errno.startsWith('ERR_TLS_')
  );
}
