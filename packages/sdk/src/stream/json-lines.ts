import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/** Parses a JSON-lines stream (Docker's progress messages), one value per non-empty line. */
export async function* jsonLines<T>(source: Readable): AsyncGenerator<T> {
  // A multi-byte character may be split across chunks.
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of source) {
    rest += decoder.write(chunk as Buffer);
    let nl: number;
    while ((nl = rest.indexOf('\n')) >= 0) {
      const line = rest.slice(0, nl).trim();
      rest = rest.slice(nl + 1);
      if (line !== '') yield JSON.parse(line) as T;
    }
  }
  rest += decoder.end();
  if (rest.trim() !== '') yield JSON.parse(rest) as T;
}
