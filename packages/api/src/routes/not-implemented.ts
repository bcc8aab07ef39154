import { PolisError } from '@polis/core';
import { DOCKER_API_ROUTES } from '../http/docker-routes.js';
import type { Context, Router } from '../http/router.js';

/**
 * Lookups of one object of a kind Polis has none of: "no such …" is true, and the docker CLI's
 * `inspect` (which tries each kind in turn and moves on only after a 404) needs it to reach
 * "No such object". Docker's words for a missing volume and plugin.
 */
const NONE_EXIST: Record<string, (name: string) => string> = {
  'GET /volumes/{name}': (name) => `get ${name}: no such volume`,
  'GET /plugins/{name}/json': (name) => `plugin "${name}" not found`,
};

/**
 * The Docker routes Polis has no handler for answer 501 `… is not implemented by Polis`. Added after
 * every real route: the router takes the first match, so these only catch what nothing else serves.
 * Parameters match greedily (`{name*}`), as image and plugin names hold slashes.
 */
export function notImplementedRoutes(router: Router): void {
  for (const entry of DOCKER_API_ROUTES) {
    const [method, template] = entry.split(' ') as [string, string];
    const pattern = template.replace(/\{([a-zA-Z]+)\}/g, '{$1*}');
    const missing = NONE_EXIST[entry];
    router.add(method, pattern, ({ params }: Context) => {
      if (missing) {
        const name = Object.values(params)[0] ?? '';
        throw new PolisError('request.not_found', missing(name), { context: { route: template, name } });
      }
      throw new PolisError('request.not_implemented', `${method} ${template} is not implemented by Polis`, {
        context: { route: template },
      });
    });
  }
}
