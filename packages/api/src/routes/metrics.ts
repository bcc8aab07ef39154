import { METRICS_CONTENT_TYPE } from '@polis/monitor';
import type { Router } from '../http/router.js';
import type { ApiDeps } from '../types.js';

/** `GET /metrics`: Prometheus's text format (not a Docker route: dockerd serves it on `--metrics-addr` only). */
export function metricsRoutes(router: Router, deps: ApiDeps): void {
  const metrics = deps.metrics;
  if (!metrics) return;
  router.add('GET', '/metrics', async ({ reply }) => {
    reply.text(200, await metrics.render(), { 'Content-Type': METRICS_CONTENT_TYPE });
  });
}
