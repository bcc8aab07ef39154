import { eventMatches, validateEventFilters, type DockerEvent } from '@polis/monitor';
import { PolisError } from '@polis/core';
import { filtersParam, stringParam } from '../http/query.js';
import type { Router } from '../http/router.js';
import type { ApiDeps } from '../types.js';

/**
 * Docker's `since`/`until`: unix seconds with an optional fraction, RFC 3339, or a Go duration
 * relative to now (`10m`, `1h30m`). Returns nanoseconds.
 */
export function eventTime(value: string, now = Date.now()): number {
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) {
    const [sec, frac = ''] = v.split('.');
    return Number(sec) * 1e9 + Number(frac.padEnd(9, '0').slice(0, 9));
  }
  const dur = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+(?:\.\d+)?)s)?$/.exec(v);
  if (dur && v !== '') {
    const ms = (Number(dur[1] ?? 0) * 3600 + Number(dur[2] ?? 0) * 60 + Number(dur[3] ?? 0)) * 1000;
    return (now - ms) * 1e6;
  }
  const parsed = Date.parse(v);
  if (!Number.isNaN(parsed)) return parsed * 1e6;
  throw new PolisError('request.invalid', `invalid time value: ${value}`);
}

/**
 * `GET /events`: past events from `since` (or none), then live ones, one JSON object per line, until
 * `until` passes or the client leaves.
 */
export function eventRoutes(router: Router, deps: ApiDeps): void {
  router.add('GET', '/events', async ({ query, reply }) => {
    const log = deps.events;
    if (!log) throw new PolisError('request.not_implemented', 'events are not available');
    const filters = filtersParam(query) ?? {};
    validateEventFilters(filters);
    const sinceText = stringParam(query, 'since');
    const untilText = stringParam(query, 'until');
    const since = sinceText === undefined ? undefined : eventTime(sinceText);
    const until = untilText === undefined ? undefined : eventTime(untilText);
    const out = reply.stream('application/json');
    const send = (e: DockerEvent): void => void out.write(`${JSON.stringify(e)}\n`);
    const buffered: DockerEvent[] = [];
    let live = false;
    const unsubscribe = log.subscribe((e) => {
      if (!eventMatches(e, filters) || (until !== undefined && e.timeNano > until)) return;
      if (live) send(e);
      else buffered.push(e);
    });
    let lastSent = 0;
    if (since !== undefined) {
      for (const e of log.history({ since, ...(until === undefined ? {} : { until }), filters })) {
        send(e);
        lastSent = e.timeNano;
      }
    }
    for (const e of buffered) if (e.timeNano > lastSent) send(e);
    live = true;
    const untilMs = until === undefined ? undefined : until / 1e6 - Date.now();
    await new Promise<void>((resolve) => {
      reply.signal.addEventListener('abort', () => resolve(), { once: true });
      if (untilMs !== undefined) setTimeout(resolve, Math.max(0, untilMs)).unref();
    });
    unsubscribe();
    out.end();
  });
}
