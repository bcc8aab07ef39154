import type { Router } from '../../http/router.js';
import type { ApiDeps } from '../../types.js';

/**
 * `GET /polis/v1/containers/{id}/security`: what the kernel enforces on a running container
 * (capabilities, seccomp, NoNewPrivs, namespaces, id maps, read-only root, masked paths, cgroup
 * limits); a container that is not running is a 409.
 */
export function securityRoute(router: Router, deps: ApiDeps): void {
  router.add('GET', '/polis/v1/containers/{id}/security', async ({ params, reply }) => {
    reply.json(200, await deps.containers.security(params.id as string));
  });
}
