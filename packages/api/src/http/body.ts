import type { IncomingMessage } from 'node:http';
import { PolisError } from '@polis/core';
import { invalid } from './errors.js';

/** Bodies of JSON requests are small (a create body is a few KiB); anything past this is refused. */
export const MAX_JSON_BODY = 4 * 1024 * 1024;

/** Reads a JSON body; undefined when the body is empty. */
export function readJson(req: IncomingMessage, limit = MAX_JSON_BODY): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    // Past the limit the rest is drained, not kept: destroying the request would also kill the answer.
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > limit) {
        refused = true;
        chunks.length = 0;
        reject(invalid(`request body too large (limit ${limit} bytes)`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
      if (refused) return;
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return resolve(undefined);
      try {
        resolve(JSON.parse(text));
      } catch (err) {
        reject(
          new PolisError('request.invalid_json', `invalid JSON: ${(err as Error).message}`, { cause: err }),
        );
      }
    });
  });
}
