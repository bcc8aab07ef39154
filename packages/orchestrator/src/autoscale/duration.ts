import { PolisError, parseGoDuration } from '@polis/core';

/**
 * A duration as the Compose Specification writes it (Go's time.ParseDuration: "30s", "1m30s", "1.5h",
 * "250ms", "0") → milliseconds. A bare number, or a string of digits as interpolation leaves it, is seconds.
 * Throws request.invalid with `what` (e.g. `service "web": x-polis-autoscale.scale_up_cooldown`) in the
 * message.
 */
export function parseComposeDuration(raw: unknown, what: string): number {
  const ms = composeDurationMs(raw);
  if (ms === undefined) {
    throw new PolisError(
      'request.invalid',
      `${what}: invalid duration ${JSON.stringify(raw)} (e.g. "30s", "1m30s")`,
    );
  }
  return ms;
}

/** A Compose duration in milliseconds, or undefined when it is not one (or is negative). */
export function composeDurationMs(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) && raw >= 0 ? raw * 1000 : undefined;
  if (typeof raw !== 'string') return undefined;
  const text = raw.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const ms = parseGoDuration(text);
  return ms === undefined || ms < 0 ? undefined : ms;
}
