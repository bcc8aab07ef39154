/** How `polis events` prints an event: docker's default line, and the context `--format` sees. */
import type { Event } from '@polis/sdk/engine';
import { STRICT } from './values.js';

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/**
 * Go's `time.Unix(0, nanos).Format("2006-01-02T15:04:05.000000000Z07:00")` in local time (docker's
 * RFC3339NanoFixed). Takes the decimal digits of the nanoseconds, which a JS number cannot hold exactly.
 */
export function rfc3339NanoFixed(nanos: string): string {
  const digits = nanos.padStart(10, '0');
  const secs = Number(digits.slice(0, -9));
  const d = new Date(secs * 1000);
  const offset = -d.getTimezoneOffset();
  const abs = Math.abs(offset);
  const zone = offset === 0 ? 'Z' : `${offset < 0 ? '-' : '+'}${pad(Math.trunc(abs / 60))}:${pad(abs % 60)}`;
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${digits.slice(-9)}${zone}`
  );
}

/** The nanoseconds of an event as decimal digits (from `time` when `timeNano` is missing), or undefined. */
function nanosOf(e: Event): string | undefined {
  if (e.timeNano) return String(e.timeNano);
  if (e.time) return `${e.time}000000000`;
  return undefined;
}

/** docker's `prettyPrintEvent`: `<time> <type> <action> <actor id> (k=v, …)`, attributes sorted by key. */
export function eventLine(e: Event): string {
  const nanos = nanosOf(e);
  let line = nanos === undefined ? '' : `${rfc3339NanoFixed(nanos)} `;
  line += `${e.Type} ${e.Action} ${e.Actor?.ID ?? ''}`;
  const attrs = e.Actor?.Attributes ?? {};
  const keys = Object.keys(attrs).sort();
  if (keys.length > 0) line += ` (${keys.map((k) => `${k}=${attrs[k]}`).join(', ')})`;
  return `${line}\n`;
}

/**
 * The event as docker's templates see it: a Go `events.Message`, so fields have Go's names (`.ID`,
 * `.Status`, `.TimeNano`, `.Actor.Attributes`) and unknown fields are errors; `{{json .}}` gives the
 * wire form.
 */
export function eventContext(e: Partial<Event>): object {
  const context = {
    [STRICT]: true,
    Status: e.status ?? '',
    ID: e.id ?? '',
    From: e.from ?? '',
    Type: e.Type ?? '',
    Action: e.Action ?? '',
    Actor: { [STRICT]: true, ID: e.Actor?.ID ?? '', Attributes: e.Actor?.Attributes ?? {} },
    Scope: e.scope ?? '',
    Time: e.time ?? 0,
    TimeNano: e.timeNano ?? 0,
  };
  // Not enumerable: `{{.}}` lists fields, while `{{json .}}` still finds it.
  Object.defineProperty(context, 'toJSON', { value: () => wireForm(e) });
  return context;
}

/** Go's marshalling of `events.Message`: its field order, the `omitempty` fields left out when empty. */
function wireForm(e: Partial<Event>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (e.status) out.status = e.status;
  if (e.id) out.id = e.id;
  if (e.from) out.from = e.from;
  out.Type = e.Type ?? '';
  out.Action = e.Action ?? '';
  out.Actor = { ID: e.Actor?.ID ?? '', Attributes: e.Actor?.Attributes ?? null };
  if (e.scope) out.scope = e.scope;
  if (e.time) out.time = e.time;
  if (e.timeNano) out.timeNano = e.timeNano;
  return out;
}
