import { PolisError } from '@polis/core';
import type { UpdateOptions } from '@polis/runtime';
import { readJson } from '../../http/body.js';
import { intParam, stringParam } from '../../http/query.js';
import { invalid } from '../../http/errors.js';
import type { Router } from '../../http/router.js';
import { Fields } from '../../docker/fields.js';
import { restartPolicyFrom } from '../../docker/create-body.js';
import type { ApiDeps } from '../../types.js';

const RESOURCE_FIELDS = [
  'Memory',
  'MemorySwap',
  'MemoryReservation',
  'KernelMemory',
  'NanoCpus',
  'CpuShares',
  'CpuPeriod',
  'CpuQuota',
  'CpusetCpus',
  'CpusetMems',
  'PidsLimit',
  'BlkioWeight',
];

/** `update` (restart policy for now), `resize` of a container's terminal, and `top`. */
export function updateTopRoutes(router: Router, deps: ApiDeps): void {
  router.add('POST', '/containers/{id}/update', async ({ params, req, reply }) => {
    const body = Fields.of(await readJson(req), '');
    const changes: UpdateOptions = {};
    if (body.raw('RestartPolicy') !== undefined) changes.restartPolicy = restartPolicyFrom(body);
    const resources = RESOURCE_FIELDS.filter((k) => {
      const v = body.raw(k);
      return v !== undefined && v !== 0 && v !== '' && !(Array.isArray(v) && v.length === 0);
    });
    if (resources.length > 0) {
      throw new PolisError(
        'request.not_implemented',
        `updating ${resources.join(', ')} of a container is not supported yet; only the restart policy can change`,
      );
    }
    await deps.containers.update(params.id as string, changes);
    reply.json(200, { Warnings: [] });
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
