import type { UpdateOptions } from '@polis/runtime';
import { readJson } from '../../http/body.js';
import { stringParam } from '../../http/query.js';
import type { Router } from '../../http/router.js';
import { Fields } from '../../docker/fields.js';
import { restartPolicyFrom } from '../../docker/create-body.js';
import type { ApiDeps } from '../../types.js';

/** `POST /containers/{id}/update` (restart policy for now) and `GET /containers/{id}/top`. */
export function updateTopRoutes(router: Router, deps: ApiDeps): void {
  router.add('POST', '/containers/{id}/update', async ({ params, req, reply }) => {
    const body = Fields.of(await readJson(req), '');
    const changes: UpdateOptions = {};
    if (body.raw('RestartPolicy') !== undefined) changes.restartPolicy = restartPolicyFrom(body);
    await deps.containers.update(params.id as string, changes);
    reply.json(200, { Warnings: [] });
  });
  router.add('GET', '/containers/{id}/top', async ({ params, query, reply }) => {
    reply.json(200, await deps.containers.top(params.id as string, stringParam(query, 'ps_args')));
  });
}
