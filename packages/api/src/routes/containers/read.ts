import type { VolumeSource } from '../../docker/host-config.js';
import { isPolisError, type ImageRunConfig } from '@polis/core';
import type { ImageService } from '@polis/image';
import { boolParam, filtersParam, intParam } from '../../http/query.js';
import type { Router } from '../../http/router.js';
import { containerInspect } from '../../docker/container-inspect.js';
import { containerSummary } from '../../docker/container-summary.js';
import { networkView } from '../../docker/container-network.js';
import type { ApiDeps } from '../../types.js';

/** Run defaults of images by id, looked up once per request; a removed image has none. */
export function imageDefaults(images: ImageService): (imageId: string) => ImageRunConfig | undefined {
  const cache = new Map<string, ImageRunConfig | undefined>();
  return (imageId) => {
    if (!cache.has(imageId)) {
      try {
        cache.set(imageId, images.get(imageId).config.config ?? {});
      } catch (err) {
        if (!isPolisError(err, 'image.not_found')) throw err;
        cache.set(imageId, undefined);
      }
    }
    return cache.get(imageId);
  };
}

/** `GET /containers/json` and `GET /containers/{id}/json`. */
export function readRoutes(router: Router, deps: ApiDeps): void {
  router.add('GET', '/containers/json', ({ query, reply }) => {
    const limit = intParam(query, 'limit');
    const filters = filtersParam(query);
    // Docker: a limit lists the most recent containers, running or not.
    const all = boolParam(query, 'all') || (limit !== undefined && limit > 0);
    const records = deps.containers.list({
      all,
      ...(limit !== undefined && limit > 0 ? { limit } : {}),
      ...(filters ? { filters } : {}),
    });
    const defaults = imageDefaults(deps.images);
    const now = Date.now();
    reply.json(
      200,
      records.map((r) =>
        containerSummary(r, defaults(r.imageId), now, networkView(deps.networks, r), volumeSource(deps)),
      ),
    );
  });
  router.add('GET', '/containers/{id}/json', ({ params, reply }) => {
    const record = deps.containers.get(params.id as string);
    const image = imageDefaults(deps.images)(record.imageId);
    reply.json(200, containerInspect(record, image, networkView(deps.networks, record), volumeSource(deps)));
  });
}

/** A volume's host path for `Mounts`, from the volume service when the daemon has one. */
export function volumeSource(deps: ApiDeps): VolumeSource {
  return (name) => deps.volumes?.find(name)?.mountpoint;
}
