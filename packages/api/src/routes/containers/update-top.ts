import { PolisError } from '@polis/core';
import type { UpdateOptions } from '@polis/runtime';
import { readJson } from '../../http/body.js';
import { intParam, stringParam } from '../../http/query.js';
import { invalid } from '../../http/errors.js';
import type { Router } from '../../http/router.js';
import { Fields } from '../../docker/fields.js';
import { restartPolicyFrom } from '../../docker/create-body.js';
import type { ApiDeps } from '../../types.js';

/** Every field of the 1.41 `Resources` (the update body besides RestartPolicy): none may pass unheard. */
const RESOURCE_FIELDS = [
  'CpuShares',
  'Memory',
  'CgroupParent',
  'BlkioWeight',
  'BlkioWeightDevice',
  'BlkioDeviceReadBps',
  'BlkioDeviceWriteBps',
  'BlkioDeviceReadIOps',
  'BlkioDeviceWriteIOps',
  'CpuPeriod',
  'CpuQuota',
  'CpuRealtimePeriod',
  'CpuRealtimeRuntime',
  'CpusetCpus',
  'CpusetMems',
  'Devices',
  'DeviceCgroupRules',
  'DeviceRequests',
  'KernelMemory',
  'KernelMemoryTCP',
  'MemoryReservation',
  'MemorySwap',
  'MemorySwappiness',
  'NanoCpus',
  'OomKillDisable',
  'Init',
  'PidsLimit',
  'Ulimits',
  'CpuCount',
  'CpuPercent',
  'IOMaximumIOps',
  'IOMaximumBandwidth',
];

/** `update` (restart policy for now), `resize` of a container's terminal, and `top`. */
export function updateTopRoutes(router: Router, deps: ApiDeps): void {
  router.add('POST', '/containers/{id}/update', async ({ params, req, reply }) => {
    const body = Fields.of(await readJson(req), '');
    const changes: UpdateOptions = {};
    if (body.raw('RestartPolicy') !== undefined) changes.restartPolicy = restartPolicyFrom(body);
    const resources = RESOURCE_FIELDS.filter((k) => {
      const v = body.raw(k);
      // Go zero values (and the CLI's -1 for an unset swappiness) mean "no change".
      return (
        v !== undefined &&
        v !== 0 &&
        v !== '' &&
        v !== false &&
        !(k === 'MemorySwappiness' && v === -1) &&
        !(Array.isArray(v) && v.length === 0)
      );
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
