import type { LogOptions } from '@polis/runtime';
import { invalid } from '../../http/errors.js';
import { boolParam } from '../../http/query.js';
import type { Router } from '../../http/router.js';
import { parseTimeParam } from '../../docker/timestamps.js';
import { MULTIPLEXED, RAW_STREAM, pumpEntries } from '../../stream/frames.js';
import type { ApiDeps } from '../../types.js';

/** `tail`: `all` (or empty, or negative) for everything, else the last N lines. */
export function parseTail(raw: string | null): number | undefined {
  const value = raw?.trim() ?? '';
  if (value === '' || value === 'all') return undefined;
  if (!/^-?[0-9]+$/.test(value))
    throw invalid(`invalid value for tail: ${JSON.stringify(raw)} (all or a number)`);
  const n = Number(value);
  return n < 0 ? undefined : n;
}

export function logOptions(query: URLSearchParams): LogOptions {
  const options: LogOptions = {
    stdout: boolParam(query, 'stdout'),
    stderr: boolParam(query, 'stderr'),
    follow: boolParam(query, 'follow'),
  };
  if (!options.stdout && !options.stderr)
    throw invalid('Bad parameters: you must choose at least one stream');
  const tail = parseTail(query.get('tail'));
  if (tail !== undefined) options.tail = tail;
  const since = parseTimeParam(query, 'since');
  if (since !== undefined) options.since = since;
  const until = parseTimeParam(query, 'until');
  if (until !== undefined) options.until = until;
  return options;
}

export function logsRoute(router: Router, deps: ApiDeps): void {
  router.add('GET', '/containers/{id}/logs', async ({ params, query, reply }) => {
    const id = params.id as string;
    const options = logOptions(query);
    const timestamps = boolParam(query, 'timestamps');
    const tty = deps.containers.get(id).spec.basic.tty;
    const entries = deps.containers.logs(id, options, reply.signal);
    const out = reply.stream(tty ? RAW_STREAM : MULTIPLEXED);
    await pumpEntries(entries, out, { tty, timestamps }, reply.signal);
    reply.end();
  });
}
