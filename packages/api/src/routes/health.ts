import { monitorHealthChecks, runHealthChecks } from '@polis/monitor';
import type { Router } from '../http/router.js';
import type { ApiDeps } from '../types.js';

/**
 * `GET /polis/v1/health`: every component's checks, run at once with a timeout each. Always 200 while
 * polisd answers: the verdict (healthy / degraded / unhealthy) is in the body, as a load balancer's
 * probe would otherwise not tell "polisd is down" from "polisd reports a problem".
 */
export function healthRoutes(router: Router, deps: ApiDeps): void {
  router.add('GET', '/polis/v1/health', async ({ reply }) => {
    reply.json(200, await runHealthChecks(deps.health?.() ?? monitorHealthChecks(deps)));
  });
}
