import { PolisError } from '@polis/core';
import { DOCKER_API_ROUTES } from '../http/docker-routes.js';
import type { Router } from '../http/router.js';

/**
 * The Docker routes Polis has no handler for answer 501 `… is not implemented by Polis`. Added after
 * every real route: the router takes the first match, so these only catch what nothing else serves.
 * Parameters match greedily (`{name*}`), as image and plugin names hold slashes.
 */
export function notImplementedRoutes(router: Router): void {
  for (const entry of DOCKER_API_ROUTES) {
    const [method, template] = entry.split(' ') as [string, string];
    const pattern = template.replace(/\{([a-zA-Z]+)\}/g, '{$1*}');
    router.add(method, pattern, () => {
      throw new PolisError('request.not_implemented', `${method} ${template} is not implemented by Polis`, {
        context: { route: template },
      });
    });
  }
}
