import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PolisMetrics } from '@polis/monitor';

/** What a request is labelled by until a route matches: unknown paths must not each make a series. */
export const UNMATCHED = 'unmatched';

/**
 * Times one plain request until its answer is complete (or the client left) and records it under its
 * route template; returns the callback dispatch calls once a route matched.
 */
export function observeRequest(
  metrics: PolisMetrics,
  req: IncomingMessage,
  res: ServerResponse,
): (pattern: string) => void {
  const start = process.hrtime.bigint();
  let pattern: string | undefined;
  res.once('close', () => {
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    metrics.observeRequest(req.method ?? 'GET', pattern ?? UNMATCHED, res.statusCode, seconds);
  });
  return (p) => (pattern = p);
}
