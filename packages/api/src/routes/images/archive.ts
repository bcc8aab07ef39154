import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PolisError, toPolisError } from '@polis/core';
import { declaredLength, loadImages, saveImages, supportsArchives, type ArchiveService } from '@polis/image';
import { imageEvent } from '@polis/monitor';
import { invalid } from '../../http/errors.js';
import { boolParam } from '../../http/query.js';
import type { Reply } from '../../http/reply.js';
import type { Router } from '../../http/router.js';
import type { ApiDeps } from '../../types.js';
import { jsonLine } from './create.js';

/**
 * `docker save` (`GET /images/get?names=…`, `GET /images/{name}/get`) streams a tar of the images;
 * `docker load` (`POST /images/load`) reads one from the body and answers Docker's JSON lines.
 */
export function imageArchiveRoutes(router: Router, deps: ApiDeps): void {
  router.add('GET', '/images/get', async ({ query, reply }) => {
    const names = query.getAll('names').filter((n) => n !== '');
    if (names.length === 0) throw invalid('Bad parameters: at least one image name is required (names)');
    await save(deps, names, reply);
  });
  router.add('GET', '/images/{name*}/get', ({ params, reply }) => save(deps, [params.name as string], reply));
  router.add('POST', '/images/load', async ({ req, query, reply }) => {
    // Docker's quiet only hides per-layer progress bars, which Polis does not draw: the names come either way.
    boolParam(query, 'quiet');
    const images = archives(deps);
    let out: Writable | undefined;
    const send = (message: object): void => {
      out ??= reply.stream('application/json');
      out.write(jsonLine(message));
    };
    try {
      const announced = new Set<string>();
      await loadImages(
        images,
        req,
        (line, image) => {
          // Docker names the image by its id in load and save events.
          if (!announced.has(image.id))
            deps.events?.publish(imageEvent('load', image.id, { name: image.id }));
          announced.add(image.id);
          send({ stream: `${line}\n` });
        },
        declaredLength(req.headers['content-length']),
      );
    } catch (err) {
      // Before the first line the failure is a plain error reply; after it, Docker's error line.
      if (out === undefined) throw err;
      const { message } = toPolisError(err);
      send({ errorDetail: { message }, error: message });
    }
    out ??= reply.stream('application/json');
    out.end();
  });
}

function archives(deps: ApiDeps): ArchiveService {
  if (!supportsArchives(deps.images)) {
    throw new PolisError('request.not_implemented', 'this image store cannot save or load archives');
  }
  return deps.images;
}

async function save(deps: ApiDeps, names: string[], reply: Reply): Promise<void> {
  const images = archives(deps);
  // Resolved here, before the head is sent, so an unknown name is a 404.
  const tar = saveImages(images, names);
  await pipeline(tar, reply.stream('application/x-tar'));
  for (const id of new Set(names.map((name) => images.get(name).id))) {
    deps.events?.publish(imageEvent('save', id, { name: id }));
  }
}
