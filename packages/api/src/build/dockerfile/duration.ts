import { parseGoDuration } from '@polis/core';

/** Go's time.ParseDuration (`30s`, `1m30s`, `1.5h`, `0`) in nanoseconds, as the image config keeps
 * HEALTHCHECK's times; undefined when malformed or negative. */
export function parseDuration(text: string): number | undefined {
  const ms = parseGoDuration(text);
  return ms === undefined || ms < 0 ? undefined : Math.round(ms * 1e6);
}
