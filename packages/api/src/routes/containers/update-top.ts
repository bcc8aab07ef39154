import { readJson } from '../../http/body.js';
import { intParam, stringParam } from '../../http/query.js';
import { invalid } from '../../http/errors.js';
import type { Router } from '../../http/router.js';
import { Fields } from '../../docker/fields.js';
import { hostCgroupSupport } from '../../docker/cgroup-support.js';
import { updateRequestFrom } from '../../docker/update-body.js';
import type { ApiDeps } from '../../types.js';

/** `update` (restart policy and limits), `resize` of a container's terminal, and `top`. */
export function updateTopRoutes(router: Router, deps: ApiDeps): void {
  router.add('POST', '/containers/{id}/update', async ({ params, req, reply }) => {
    const body = Fields.of(await readJson(req), '');
    const { changes, warnings } = updateRequestFrom(body, hostCgroupSupport());
    await deps.containers.update(params.id as string, changes);
    reply.json(200, { Warnings: warnings });
  });
  router.add('POST', '/containers/{id}/resize', async ({ params, query, reply }) => {
    const h = intParam(query, 'h') ?? 0;
    const w = intParam(query, 'w') ?? 0;
    if (h < 0 || w < 0) throw invalid('Bad parameters: h and w must be positive');
    await deps.containers.resize(params.id as string, h, w);
    reply.empty(200);
  });
  router.add('GET', '/containers/{id}/top', async ({ params, query, reply }) => {
    reply.json(200, await deps.containers.top(params.id as string, stringParam(query, 'ps_args')));
  });
}
