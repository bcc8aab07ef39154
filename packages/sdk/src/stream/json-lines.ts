import type { Readable } from 'node:stream';

/** Parses a JSON-lines stream (Docker's progress messages), one value per non-empty line. */
export async function* jsonLines<T>(source: Readable): AsyncGenerator<T> {
  // A multi-byte character may be split across chunks (`stream: true` holds its first bytes back).
  // TextDecoder is a global: node:string_decoder would cost the CLI's Bun start-up ~4 ms to load.
  const decoder = new TextDecoder('utf-8');
  let rest = '';
  for await (const chunk of source) {
    rest += decoder.decode(chunk as Buffer, { stream: true });
    let nl: number;
    while ((nl = rest.indexOf('\n')) >= 0) {
      const line = rest.slice(0, nl).trim();
      rest = rest.slice(nl + 1);
      if (line !== '') yield JSON.parse(line) as T;
    }
  }
  rest += decoder.decode();
  if (rest.trim() !== '') yield JSON.parse(rest) as T;
}
