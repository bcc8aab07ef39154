import type { LogEntry } from '../types.js';

/**
 * conmon's k8s-file format: `<RFC3339Nano time> <stdout|stderr> <F|P> <content>` per line; `P` marks a
 * partial line (no newline at the end of the original output), `F` a full one.
 */
export function parseLine(line: string): LogEntry | undefined {
  const a = line.indexOf(' ');
  const b = line.indexOf(' ', a + 1);
  const c = line.indexOf(' ', b + 1);
  if (a < 0 || b < 0) return undefined;
  const stream = line.slice(a + 1, b);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const tag = c < 0 ? line.slice(b + 1) : line.slice(b + 1, c);
  const content = c < 0 ? '' : line.slice(c + 1);
  const full = tag.split(':').includes('F');
  return {
    stream,
    time: normaliseTime(line.slice(0, a)),
    data: Buffer.from(full ? `${content}\n` : content, 'utf8'),
  };
}

/** `2026-11-27T00:31:44.123456789+00:00` → `2026-11-27T00:31:44.123456789Z` (UTC, nanoseconds kept). */
export function normaliseTime(t: string): string {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:?\d\d)$/.exec(t);
  if (!m) return t;
  const frac = (m[2] ?? '.').slice(1).padEnd(9, '0').slice(0, 9);
  if (m[3] === 'Z' || m[3] === '+00:00' || m[3] === '+0000') return `${m[1]}.${frac}Z`;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return t;
  return `${new Date(ms).toISOString().slice(0, 19)}.${frac}Z`;
}

/** Unix seconds with fraction of an entry's time. */
export function entrySeconds(entry: LogEntry): number {
  const m = /^(.*T\d\d:\d\d:\d\d)\.(\d+)Z$/.exec(entry.time);
  if (!m) return Date.parse(entry.time) / 1000;
  return Date.parse(`${m[1]}Z`) / 1000 + Number(`0.${m[2]}`);
}

/** Splits a chunk into complete lines, returning the unfinished remainder. */
export function splitLines(buffered: string): { lines: string[]; rest: string } {
  const parts = buffered.split('\n');
  const rest = parts.pop() ?? '';
  return { lines: parts.filter((l) => l.length > 0), rest };
}
