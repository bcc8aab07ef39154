import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { PolisError } from '@polis/core';
import { MAX_JSON_BODY, readJson } from './body.js';

/**
 * The JSON body of a request. On a hijacked connection (Upgrade: tcp) node hands over the raw socket
 * with the body still in it: exactly Content-Length bytes are read from it, the rest is the stream.
 */
export async function readBodyJson(
  req: IncomingMessage,
  input: Readable,
  upgraded: boolean,
): Promise<unknown> {
  if (!upgraded) return readJson(req);
  const length = Number(req.headers['content-length'] ?? 0);
  if (!Number.isFinite(length) || length <= 0) return undefined;
  if (length > MAX_JSON_BODY) throw new PolisError('request.invalid', 'request body too large');
  const chunks: Buffer[] = [];
  let got = 0;
  while (got < length) {
    const chunk =
      (input.read(Math.min(length - got, input.readableLength || length - got)) as Buffer | null) ?? null;
    if (chunk) {
      chunks.push(chunk);
      got += chunk.length;
      continue;
    }
    if (input.readableEnded) break;
    await new Promise((resolve) => input.once('readable', resolve));
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text.trim() === '' ? undefined : JSON.parse(text);
  } catch (err) {
    throw new PolisError('request.invalid_json', `invalid JSON: ${(err as Error).message}`, { cause: err });
  }
}
