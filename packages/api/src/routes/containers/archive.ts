import { pipeline } from 'node:stream/promises';
import type { ContainerPathStat } from '@polis/runtime';
import { invalid } from '../../http/errors.js';
import { boolParam } from '../../http/query.js';
import type { Router } from '../../http/router.js';
import type { ApiDeps } from '../../types.js';

const STAT_HEADER = 'X-Docker-Container-Path-Stat';

function pathParam(query: URLSearchParams): string {
  const path = query.get('path');
  if (path === null || path === '') throw invalid('path is required');
  return path;
}

/** Base64 of the JSON stat, as the docker CLI decodes it. */
export function statHeader(stat: ContainerPathStat): string {
  return Buffer.from(JSON.stringify(stat)).toString('base64');
}

/**
 * Copy in and out (`docker cp`): `HEAD` stats a path, `GET` streams a tar of it with the stat in
 * `X-Docker-Container-Path-Stat`, `PUT` extracts a tar into a directory. The runtime confines all of it
 * to the container's root.
 */
export function archiveRoutes(router: Router, deps: ApiDeps): void {
  router.add('HEAD', '/containers/{id}/archive', async ({ params, query, reply }) => {
    const stat = await deps.containers.statPath(params.id as string, pathParam(query));
    reply.empty(200, { [STAT_HEADER]: statHeader(stat), 'Content-Type': 'application/json' });
  });
  router.add('GET', '/containers/{id}/archive', async ({ params, query, reply }) => {
    const { stat, stream } = await deps.containers.getArchive(params.id as string, pathParam(query));
    const onAbort = (): void => {
      stream.destroy();
    };
    reply.signal.addEventListener('abort', onAbort, { once: true });
    try {
      await pipeline(stream, reply.stream('application/x-tar', 200, { [STAT_HEADER]: statHeader(stat) }));
    } finally {
      reply.signal.removeEventListener('abort', onAbort);
    }
  });
  router.add('PUT', '/containers/{id}/archive', async ({ params, query, req, reply }) => {
    const path = pathParam(query);
    // A client that goes away mid-upload ends the extraction (and releases the container) at once.
    reply.signal.addEventListener('abort', () => req.destroy(new Error('client went away')), { once: true });
    await deps.containers.putArchive(params.id as string, path, req, {
      noOverwriteDirNonDir: boolParam(query, 'noOverwriteDirNonDir'),
      copyUidGid: boolParam(query, 'copyUIDGID'),
    });
    reply.empty(200);
  });
}
