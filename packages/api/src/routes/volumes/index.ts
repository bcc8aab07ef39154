import { PolisError } from '@polis/core';
import type { VolumeService } from '@polis/storage';
import { readJson } from '../../http/body.js';
import { boolParam, filtersParam } from '../../http/query.js';
import type { Router } from '../../http/router.js';
import { Fields } from '../../docker/fields.js';
import type { ApiDeps } from '../../types.js';
import { volumeResource } from './shapes.js';
import { volumeSyncRoutes } from './sync.js';

function volumesOf(deps: ApiDeps, lookup?: string): VolumeService {
  if (!deps.volumes && lookup !== undefined)
    throw new PolisError('volume.not_found', `get ${lookup}: no such volume`, { context: { name: lookup } });
  if (!deps.volumes) throw new PolisError('request.unavailable', 'this daemon has no volume service');
  return deps.volumes;
}

/** API 1.42 made prune take only anonymous volumes unless `all=true`; older clients get every unused one. */
function anonymousOnlyFor(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 1 || (major === 1 && minor >= 42);
}

/** Docker's `/volumes` endpoints. */
export function volumeRoutes(router: Router, deps: ApiDeps): void {
  volumeSyncRoutes(router, deps);
  router.add('GET', '/volumes', ({ query, reply }) => {
    const volumes = deps.volumes?.list(filtersParam(query) ?? {}) ?? [];
    reply.json(200, { Volumes: volumes.map(volumeResource), Warnings: [] });
  });
  router.add('POST', '/volumes/create', async ({ req, reply }) => {
    const f = Fields.of(await readJson(req), '');
    const name = f.str('Name');
    const driver = f.str('Driver');
    // The manager publishes `create` and `destroy` (wired in `daemon/main.ts`), so volumes made or
    // removed with containers have theirs too.
    const { volume } = volumesOf(deps).create({
      ...(name ? { name } : {}),
      ...(driver ? { driver } : {}),
      driverOptions: f.stringMap('DriverOpts'),
      labels: f.stringMap('Labels'),
      anonymous: false,
    });
    reply.json(201, volumeResource(volume));
  });
  // `{name*}`: a name with a slash is no volume's, and is answered not found rather than 404 page.
  // Without a volume service there are no volumes: lookups are not found, so `docker inspect NAME`
  // goes on to "No such object".
  router.add('GET', '/volumes/{name*}', ({ params, reply }) => {
    reply.json(200, volumeResource(volumesOf(deps, params.name).get(params.name as string)));
  });
  router.add('DELETE', '/volumes/{name*}', async ({ params, query, reply }) => {
    await volumesOf(deps, params.name).remove(params.name as string, { force: boolParam(query, 'force') });
    reply.empty(204);
  });
  router.add('POST', '/volumes/prune', async ({ query, reply, version }) => {
    const { deleted, reclaimed } = await volumesOf(deps).prune({
      filters: filtersParam(query) ?? {},
      anonymousOnly: anonymousOnlyFor(version),
    });
    reply.json(200, { VolumesDeleted: deleted, SpaceReclaimed: reclaimed });
  });
}
