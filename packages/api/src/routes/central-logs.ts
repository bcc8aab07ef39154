import type { ContainerRecord } from '@polis/core';
import type { LogEntry, LogOptions } from '@polis/runtime';
import { invalid } from '../http/errors.js';
import { boolParam, filtersParam } from '../http/query.js';
import type { Router } from '../http/router.js';
import { parseTimeParam } from '../docker/timestamps.js';
import { mergeByTime } from '../logs/merge.js';
import type { ApiDeps } from '../types.js';
import { parseTail } from './containers/logs.js';

const PROJECT_LABEL = 'com.docker.compose.project';
const KEYS = ['label', 'name', 'id', 'project', 'status'];

/** The list filters the central log accepts; `project=P` is the compose project label. */
export function centralFilters(raw: Record<string, string[]> | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [key, values] of Object.entries(raw ?? {})) {
    if (!KEYS.includes(key)) throw invalid(`invalid filter '${key}' (use ${KEYS.join(', ')})`);
    if (key === 'project') {
      if (values.length > 1) throw invalid('only one project filter may be given');
      out.label = [...(out.label ?? []), ...values.map((p) => `${PROJECT_LABEL}=${p}`)];
    } else out[key] = [...(out[key] ?? []), ...values];
  }
  return out;
}

/** One JSON line of `GET /polis/v1/logs`. */
export interface CentralLine {
  container: string;
  name: string;
  stream: 'stdout' | 'stderr';
  time: string;
  line: string;
  /** Present (true) when the line had no newline at its end. */
  partial?: boolean;
}

function toLine(c: ContainerRecord, e: LogEntry): string {
  let text = e.data.toString('utf8');
  const full = text.endsWith('\n');
  if (full) text = text.slice(0, -1);
  const out: CentralLine = { container: c.id, name: c.name, stream: e.stream, time: e.time, line: text };
  if (!full) out.partial = true;
  return `${JSON.stringify(out)}\n`;
}

/** A container's lines, or none when its driver keeps no readable log (`none`) or it went away. */
async function collect(open: () => AsyncIterable<LogEntry>): Promise<LogEntry[]> {
  const out: LogEntry[] = [];
  try {
    for await (const e of open()) out.push(e);
  } catch {
    return out;
  }
  return out;
}

/**
 * `GET /polis/v1/logs?filters=&since=&until=&tail=&follow=`: the logs of every matching container,
 * merged by time, as JSON lines (`CentralLine`). `tail` counts per container, as docker-compose's.
 * With `follow` the history is sent merged first, then each container's new lines as they arrive,
 * and containers that start later and match are joined.
 */
export function centralLogsRoute(router: Router, deps: ApiDeps): void {
  router.add('GET', '/polis/v1/logs', async ({ query, reply }) => {
    const filters = centralFilters(filtersParam(query));
    const follow = boolParam(query, 'follow');
    const base: LogOptions = { stdout: true, stderr: true, follow: false };
    const since = parseTimeParam(query, 'since');
    const until = parseTimeParam(query, 'until');
    const tail = parseTail(query.get('tail'));
    if (since !== undefined) base.since = since;
    if (until !== undefined) base.until = until;
    const matching = (): ContainerRecord[] => deps.containers.list({ all: true, filters });
    const containers = matching().sort((a, b) => a.name.localeCompare(b.name));
    const startedAt = new Date()
      .toISOString()
      .replace(/\.(\d+)Z$/, (_m, f: string) => `.${f.padEnd(9, '0')}Z`);
    const signal = reply.signal;

    // Live follows must begin before the history is read, or a container starting in between is missed.
    const followed = new Map<string, Promise<void>>();
    const lastTime = new Map<string, string>();
    const pending: ContainerRecord[] = [];
    let live = false;
    const unsubscribe =
      follow && deps.events
        ? deps.events.subscribe((e) => {
            if (e.Type !== 'container' || (e.Action !== 'start' && e.Action !== 'restart')) return;
            const c = matching().find((r) => r.id === e.Actor.ID);
            if (!c) return;
            if (live) join(c);
            else pending.push(c);
          })
        : () => undefined;

    const out = reply.stream('application/x-ndjson');
    const join = (c: ContainerRecord): void => {
      if (followed.has(c.id) || signal.aborted) return;
      // Lines up to the last one already sent were sent; a container new to this request gets all of
      // its lines (from `since`).
      const after = lastTime.get(c.id);
      const options: LogOptions = { ...base, follow: true };
      if (after !== undefined) options.since = Math.max(options.since ?? 0, Date.parse(after) / 1000 - 1);
      const run = (async () => {
        try {
          for await (const e of deps.containers.logs(c.id, options, signal)) {
            if (after !== undefined && e.time <= after) continue;
            lastTime.set(c.id, e.time);
            if (!out.write(toLine(c, e))) await new Promise((r) => out.once('drain', r));
          }
        } catch {
          // the container was removed while followed: its stream just ends
        } finally {
          followed.delete(c.id);
        }
      })();
      followed.set(c.id, run);
    };

    try {
      const histories = await Promise.all(
        containers.map((c) =>
          collect(() =>
            deps.containers.logs(c.id, { ...base, ...(tail === undefined ? {} : { tail }) }, signal),
          ),
        ),
      );
      for (const { source, entry } of mergeByTime(histories)) {
        const c = containers[source] as ContainerRecord;
        if (!out.write(toLine(c, entry))) await new Promise((r) => out.once('drain', r));
      }
      if (!follow || (until !== undefined && until * 1000 <= Date.now())) return;
      containers.forEach((c, i) => {
        const h = histories[i] as LogEntry[];
        lastTime.set(c.id, h.length > 0 ? (h[h.length - 1] as LogEntry).time : tail === 0 ? startedAt : '');
        if (lastTime.get(c.id) === '') lastTime.delete(c.id);
      });
      live = true;
      for (const c of [...containers, ...pending]) join(c);
      await new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        else signal.addEventListener('abort', () => resolve(), { once: true });
      });
    } finally {
      unsubscribe();
      await Promise.allSettled([...followed.values()]);
      reply.end();
    }
  });
}
