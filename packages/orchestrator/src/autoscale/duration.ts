import { PolisError } from '@polis/core';

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * A duration as the Compose Specification writes it (Go's time.ParseDuration: "30s", "1m30s", "1.5h",
 * "250ms", "0") → milliseconds. A bare number, or a string of digits as interpolation leaves it, is seconds.
 * Throws request.invalid with `what` (e.g. `service "web": x-polis-autoscale.scale_up_cooldown`) in the
 * message.
 */
export function parseComposeDuration(raw: unknown, what: string): number {
  if (typeof raw === 'number' && Number.isFinite(raw) && raw >= 0) return raw * 1000;
  if (typeof raw === 'string') {
    const text = raw.trim();
    if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
    if (
      /^(\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))*$/.test(text)
    ) {
      let ms = 0;
      for (const m of text.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g))
        ms += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
      return ms;
    }
  }
  throw new PolisError(
    'request.invalid',
    `${what}: invalid duration ${JSON.stringify(raw)} (e.g. "30s", "1m30s")`,
  );
}
