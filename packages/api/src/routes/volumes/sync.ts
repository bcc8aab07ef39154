import { PolisError } from '@polis/core';
import { syncVolumes, type SyncResult } from '@polis/storage';
import { invalid } from '../../http/errors.js';
import { boolParam, stringParam } from '../../http/query.js';
import type { Router } from '../../http/router.js';
import type { ApiDeps } from '../../types.js';

/** The JSON answer of a sync, in the API's field style. */
export function syncBody(r: SyncResult): Record<string, unknown> {
  return {
    Source: r.source,
    Destination: r.destination,
    Created: r.created,
    DryRun: r.dryRun,
    Copied: r.copied,
    CopiedBytes: r.bytes,
    Updated: r.updated,
    Deleted: r.deleted,
    Unchanged: r.unchanged,
    Skipped: r.skipped,
    ...(r.actions ? { Actions: r.actions.map((a) => ({ Action: a.op, Path: a.path })) } : {}),
  };
}

/** `POST /polis/v1/volumes/{name}/sync?to=DEST[&checksum=1][&delete=1][&dryrun=1]` (Polis's own). */
export function volumeSyncRoutes(router: Router, deps: ApiDeps): void {
  router.add('POST', '/polis/v1/volumes/{name}/sync', async ({ params, query, reply }) => {
    const volumes = deps.volumes;
    if (!volumes) throw new PolisError('request.unavailable', 'this daemon has no volume service');
    const to = stringParam(query, 'to');
    if (!to) throw invalid('sync: the destination volume is required (?to=NAME)');
    const result = await syncVolumes(volumes, {
      source: params.name as string,
      destination: to,
      checksum: boolParam(query, 'checksum'),
      delete: boolParam(query, 'delete'),
      dryRun: boolParam(query, 'dryrun'),
    });
    reply.json(200, syncBody(result));
  });
}
