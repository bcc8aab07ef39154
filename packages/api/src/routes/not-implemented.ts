import { PolisError } from '@polis/core';
import { DOCKER_API_ROUTES } from '../http/docker-routes.js';
import type { Context, Router } from '../http/router.js';

/**
 * Lookups of one object of a kind Polis has none of: "no such …" is true, and the docker CLI's
 * `inspect` (which tries each kind in turn and moves on only after a 404) needs it to reach
 * "No such object". Docker's words for a missing plugin.
 */
const NONE_EXIST: Record<string, (name: string) => string> = {
  'GET /plugins/{name}/json': (name) => `plugin "${name}" not found`,
};

/**
 * The Docker routes Polis has no handler for answer 501 `… is not implemented by Polis`. Call after
 * every real route is added: a route Polis serves is skipped, so a malformed path of it stays a 404.
 * `{name}` matches greedily (`{name*}`), as image, plugin and distribution names hold slashes.
 */
export function notImplementedRoutes(router: Router): void {
  for (const entry of DOCKER_API_ROUTES) {
    const [method, template] = entry.split(' ') as [string, string];
    if (router.match(method, template.replace(/\{[a-zA-Z]+\}/g, 'x'))) continue;
    const pattern = template.replace(/\{name\}/g, '{name*}');
    const missing = NONE_EXIST[entry];
    router.add(
      method,
      pattern,
      ({ params }: Context) => {
        if (missing) {
          const name = Object.values(params)[0] ?? '';
          throw new PolisError('request.not_found', missing(name), { context: { route: template, name } });
        }
        throw new PolisError('request.not_implemented', `${method} ${template} is not implemented by Polis`, {
          context: { route: template },
        });
      },
      { notImplemented: true },
    );
  }
}
