import { invalid } from '../http/errors.js';

const RFC3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/i;

/** `since`/`until` values: unix seconds with an optional fraction, or RFC 3339. Undefined when absent or 0. */
export function parseTimeParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name)?.trim();
  if (raw === undefined || raw === '') return undefined;
  let seconds: number | undefined;
  if (/^[0-9]+(\.[0-9]+)?$/.test(raw)) seconds = Number(raw);
  else {
    const m = RFC3339.exec(raw);
    const base = m ? Date.parse(`${m[1]}${m[3]}`) : NaN;
    if (m && !Number.isNaN(base)) seconds = base / 1000 + Number(`0.${m[2] ?? '0'}`);
  }
  if (seconds === undefined)
    throw invalid(`invalid value for ${name}: ${JSON.stringify(raw)} (unix seconds or RFC 3339)`);
  return seconds === 0 ? undefined : seconds;
}

/** Docker's `RFC3339NanoFixed` in UTC (`2024-05-01T10:00:00.123456789Z`), from any RFC 3339 time. */
export function rfc3339NanoFixed(time: string): string {
  const m = RFC3339.exec(time);
  if (!m) return time;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return time;
  const whole = new Date(ms).toISOString().slice(0, 19);
  return `${whole}.${(m[2] ?? '').padEnd(9, '0')}Z`;
}

/** Unix seconds of an ISO time (0 for the zero time). */
export function unixSeconds(time: string): number {
  const ms = Date.parse(time);
  return Number.isNaN(ms) || ms < 0 ? 0 : Math.floor(ms / 1000);
}
