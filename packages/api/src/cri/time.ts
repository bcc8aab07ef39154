import { ZERO_TIME } from '@polis/core';

/** An RFC 3339 time (with up to nanoseconds) as nanoseconds since the epoch, a decimal string (int64). */
export function isoToNs(iso: string | undefined): string {
  if (!iso || iso === ZERO_TIME) return '0';
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(.*)$/.exec(iso);
  if (!m) return '0';
  const seconds = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(seconds)) return '0';
  const frac = BigInt((m[2] ?? '').padEnd(9, '0').slice(0, 9));
  return (BigInt(seconds) * 1_000_000n + frac).toString();
}

export function nowNs(): string {
  return (BigInt(Date.now()) * 1_000_000n).toString();
}

/** Milliseconds since the epoch (a stats reading's time) as nanoseconds. */
export function msToNs(ms: number): string {
  return (BigInt(Math.floor(ms)) * 1_000_000n + BigInt(Math.round((ms % 1) * 1e6))).toString();
}
