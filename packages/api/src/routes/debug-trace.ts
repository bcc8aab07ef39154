import type { Router } from '../http/router.js';
import { intParam } from '../http/query.js';
import type { ApiDeps } from '../types.js';

/**
 * `GET /polis/v1/debug/trace?limit=N`: where the milliseconds of the last runs went, stage by stage
 * (request parse, image resolve, bundle, rootfs mount, conmon, runtime create and start, network,
 * exit handling, removal), newest first. Kept by the runtime for its last 50 runs. `cleanupsPending`
 * counts removed `--rm` containers whose mounts, network and files are still being let go.
 */
export function debugTraceRoutes(router: Router, deps: ApiDeps): void {
  router.add('GET', '/polis/v1/debug/trace', ({ query, reply }) => {
    const limit = intParam(query, 'limit') ?? 10;
    reply.json(200, {
      runs: deps.containers.traces?.(limit) ?? [],
      cleanupsPending: deps.containers.cleanupsPending?.() ?? 0,
    });
  });
}
