import type { Readable } from 'node:stream';

/** Parses a JSON-lines stream (Docker's progress messages), one value per non-empty line. */
export async function* jsonLines<T>(source: Readable): AsyncGenerator<T> {
  let rest = '';
  for await (const chunk of source) {
    rest += (chunk as Buffer).toString('utf8');
    let nl: number;
    while ((nl = rest.indexOf('\n')) >= 0) {
      const line = rest.slice(0, nl).trim();
      rest = rest.slice(nl + 1);
      if (line !== '') yield JSON.parse(line) as T;
    }
  }
  if (rest.trim() !== '') yield JSON.parse(rest) as T;
}
