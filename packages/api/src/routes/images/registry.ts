import { PolisError } from '@polis/core';
import { imageEvent } from '@polis/monitor';
import { familiarName } from '../../docker/names.js';
import { credentialsFrom, registryAuth } from '../../docker/registry-auth.js';
import { readJson } from '../../http/body.js';
import { invalid } from '../../http/errors.js';
import { boolParam, filtersParam, stringParam } from '../../http/query.js';
import type { Router } from '../../http/router.js';
import type { ApiDeps } from '../../types.js';
import { ProgressStream } from './progress-stream.js';

/** Push, login, prune and the store check. */
export function registryRoutes(router: Router, deps: ApiDeps): void {
  const images = deps.images;
  router.add('POST', '/images/{name*}/push', async ({ req, params, query, reply }) => {
    const tag = stringParam(query, 'tag');
    const name = params.name as string;
    const reference = tag === undefined ? name : `${name}:${tag}`;
    const auth = registryAuth(req.headers);
    const stream = new ProgressStream(reply, (e) => e.status.startsWith('The push refers'));
    let results;
    try {
      results = await images.push(reference, { ...(auth ? { auth } : {}), onProgress: stream.sink });
    } catch (err) {
      stream.finish(err);
      return;
    }
    for (const r of results) {
      stream.raw({ progressDetail: {}, aux: { Tag: r.tag, Digest: r.digest, Size: r.size } });
    }
    deps.events?.publish(imageEvent('push', familiarName(reference), { name: familiarName(reference) }));
    stream.finish();
  });

  router.add('POST', '/auth', async ({ req, reply }) => {
    const body = await readJson(req);
    const credentials = credentialsFrom(body);
    const server = (body as { serveraddress?: unknown }).serveraddress;
    if (typeof server !== 'string' && server !== undefined) throw invalid('serveraddress must be a string');
    await images.login(server ?? '', credentials ?? {});
    reply.json(200, { Status: 'Login Succeeded', IdentityToken: '' });
  });

  router.add('POST', '/images/prune', async ({ query, reply }) => {
    const filters = filtersParam(query) ?? {};
    const { items, reclaimed } = await images.prune({
      filters,
      all: boolParam(query, 'all'),
      inUse: (id) => deps.containers.usingImage(id).length > 0,
    });
    for (const item of items) {
      if ('Deleted' in item) deps.events?.publish(imageEvent('delete', item.Deleted, { name: item.Deleted }));
    }
    reply.json(200, {
      ImagesDeleted:
        items.length > 0
          ? items.map((i) => ('Untagged' in i ? { Untagged: familiarName(i.Untagged) } : i))
          : null,
      SpaceReclaimed: reclaimed,
    });
  });

  router.add('GET', '/images/search', () => {
    throw new PolisError(
      'request.not_implemented',
      'searching registries is not supported: Polis has no index to ask',
    );
  });

  router.add('POST', '/polis/v1/images/verify', async ({ reply }) => {
    const problems = await images.verify();
    reply.json(200, { Problems: problems });
  });
}
