import { connectionError } from './errors.js';
import type { Endpoint } from './host.js';
import type { RequestOptions } from './transport.js';
import type { Readable } from 'node:stream';

/**
 * Under Bun (the CLI's single executable) the transport speaks through Bun's native fetch wherever it
 * needs no hijack: loading node:http costs Bun's start-up ~10–15 ms, a third of a `polis version`, and
 * fetch hands files to the kernel. Node keeps node:http, which it loads at no cost and whose fetch
 * (undici) is the slower one there.
 */
export const NATIVE_FETCH = (process.versions as Record<string, string | undefined>)['bun'] !== undefined;

/** One request through fetch to the daemon's socket (or plain TCP); a failure to connect is typed. */
export async function fetchResponse(
  endpoint: Endpoint,
  fullPath: string,
  method: string,
  options: RequestOptions,
  blob?: Blob,
): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | Buffer | Blob | undefined = blob ?? (options.body as Buffer | undefined);
  if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  const { socketPath, hostname, port } = endpoint;
  const host = hostname?.includes(':') ? `[${hostname}]` : hostname;
  const url = socketPath !== undefined ? `http://localhost${fullPath}` : `http://${host}:${port}${fullPath}`;
  const init = {
    method,
    headers,
    body,
    signal: options.signal,
    redirect: 'manual',
    // Bun's idle timer (5 minutes by default) would cut an attach to a quiet container, a wait or a
    // slow stop; node:http has none, and neither may this.
    timeout: false,
    ...(socketPath !== undefined ? { unix: socketPath } : {}),
  };
  try {
    return await fetch(url, init as RequestInit);
  } catch (err) {
    throw connectionError(err, endpoint.host);
  }
}

/** A fetch answer's body as a Node Readable of Buffers (what the demuxer and file sinks take). */
export function bodyStream(res: Response): Readable {
  const source = res.body;
  // From the process, not imported: node:stream costs the CLI's Bun start-up ~4 ms when unused.
  const { Readable } = process.getBuiltinModule('node:stream');
  const chunks = async function* (): AsyncGenerator<Buffer> {
    if (!source) return;
    for await (const c of source as unknown as AsyncIterable<Uint8Array>) {
      yield Buffer.from(c.buffer, c.byteOffset, c.byteLength);
    }
  };
  return Readable.from(chunks(), { objectMode: false });
}
