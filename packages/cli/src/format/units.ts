/** Human-readable durations and sizes, as docker/go-units prints them. */
import { parseGoDuration } from '@polis/core/duration';
import { humanDuration } from '@polis/core/units';

export { humanDuration };

/** "2 seconds ago" from a Unix time in seconds. */
export function since(unixSeconds: number, now = Date.now()): string {
  return `${humanDuration(now - unixSeconds * 1000)} ago`;
}

const DECIMAL = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];

/** go-units `HumanSizeWithPrecision`: decimal units, Go's `%.<precision>g` ("4.26MB", "100B"). */
export function humanSize(size: number, precision = 3): string {
  let i = 0;
  while (size >= 1000 && i < DECIMAL.length - 1) {
    size /= 1000;
    i++;
  }
  return `${formatG(size, precision)}${DECIMAL[i]}`;
}

/** Go's `%.<p>g`: shortest of fixed and exponent notation, trailing zeros removed. */
export function formatG(x: number, p: number): string {
  if (x === 0) return '0';
  const [mantissa, expText] = x.toExponential(p - 1).split('e') as [string, string];
  const exp = Number(expText);
  const strip = (s: string): string => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
  if (exp < -4 || exp >= p) {
    const digits = String(Math.abs(exp)).padStart(2, '0');
    return `${strip(mantissa)}e${exp < 0 ? '-' : '+'}${digits}`;
  }
  return strip(x.toFixed(Math.max(0, p - 1 - exp)));
}

/** Go's `time.ParseDuration` in milliseconds (core's one parser). */
export { parseGoDuration };

/**
 * Docker's `--since`/`--until` values: a duration before now ("10m"), a timestamp (RFC 3339, local time when
 * no zone is given) or Unix seconds. Returns Unix seconds as the daemon takes them.
 */
export function apiTimestamp(value: string, now = Date.now()): string {
  const d = value === '0' ? undefined : parseGoDuration(value);
  if (d !== undefined) return String(Math.trunc((now - d) / 1000));
  if (/^\d+(\.\d{1,9})?$/.test(value)) return value;
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00` : value);
  if (Number.isNaN(ms)) throw new Error(`failed to parse value as time or duration: "${value}"`);
  const secs = Math.floor(ms / 1000);
  return `${secs}.${String((ms - secs * 1000) * 1_000_000).padStart(9, '0')}`;
}
