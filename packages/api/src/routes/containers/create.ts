import { performance } from 'node:perf_hooks';
import type { Router } from '../../http/router.js';
import { readJson } from '../../http/body.js';
import { stringParam } from '../../http/query.js';
import { createRequestFrom } from '../../docker/create-body.js';
import type { ApiDeps } from '../../types.js';

export function createRoute(router: Router, deps: ApiDeps): void {
  router.add('POST', '/containers/create', async ({ req, query, reply }) => {
    const traceSince = performance.now();
    const name = stringParam(query, 'name');
    const { spec, warnings } = createRequestFrom(
      await readJson(req),
      deps.cgroupDriver ? { cgroupDriver: deps.cgroupDriver } : {},
    );
    const record = await deps.containers.create(
      spec,
      name === undefined ? { traceSince } : { name, traceSince },
    );
    reply.json(201, { Id: record.id, Warnings: warnings });
  });
}
