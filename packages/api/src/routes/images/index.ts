import { imageEvent } from '@polis/monitor';
import { invalid } from '../../http/errors.js';
import { boolParam, filtersParam, stringParam } from '../../http/query.js';
import type { Router } from '../../http/router.js';
import { imageHistory, imageInspect, imageSummary } from '../../docker/image-shapes.js';
import { familiarName } from '../../docker/names.js';
import type { ApiDeps } from '../../types.js';
import { imageCreateRoute } from './create.js';
import { registryRoutes } from './registry.js';
import { imageArchiveRoutes } from './archive.js';

/** Image routes. Names in paths may hold slashes and colons, hence the greedy `{name*}`. */
export function imageRoutes(router: Router, deps: ApiDeps): void {
  const images = deps.images;
  imageCreateRoute(router, deps);
  registryRoutes(router, deps);
  imageArchiveRoutes(router, deps);
  router.add('GET', '/images/json', ({ query, reply }) => {
    const filters = filtersParam(query);
    const all = boolParam(query, 'all');
    let list = images.list({ all, ...(filters ? { filters } : {}) });
    // Docker hides a build's intermediate images unless -a: here the untagged ones the build cache holds.
    const cached = all ? undefined : deps.builds?.cache.imageIds();
    if (cached) list = list.filter((i) => i.repoTags.length > 0 || !cached.has(i.id));
    reply.json(200, list.map(imageSummary));
  });
  router.add('GET', '/images/{name*}/json', ({ params, reply }) => {
    reply.json(200, imageInspect(images.get(params.name as string)));
  });
  router.add('GET', '/images/{name*}/history', ({ params, reply }) => {
    reply.json(200, imageHistory(images.get(params.name as string)));
  });
  router.add('POST', '/images/{name*}/tag', ({ params, query, reply }) => {
    const repo = stringParam(query, 'repo');
    if (repo === undefined) throw invalid('Bad parameters: repo is required');
    const tag = stringParam(query, 'tag');
    const target = tag === undefined ? repo : `${repo}:${tag}`;
    images.tag(params.name as string, target);
    const id = images.get(target).id;
    deps.events?.publish(imageEvent('tag', id, { name: familiarName(target) }));
    reply.empty(201);
  });
  router.add('DELETE', '/images/{name*}', async ({ params, query, reply }) => {
    const items = await images.remove(params.name as string, {
      force: boolParam(query, 'force'),
      inUse: (id) => deps.containers.usingImage(id).length > 0,
    });
    for (const item of items) {
      if ('Untagged' in item) {
        deps.events?.publish(imageEvent('untag', item.Untagged, { name: familiarName(item.Untagged) }));
      } else deps.events?.publish(imageEvent('delete', item.Deleted, { name: item.Deleted }));
    }
    reply.json(
      200,
      items.map((item) => ('Untagged' in item ? { Untagged: familiarName(item.Untagged) } : item)),
    );
  });
}
