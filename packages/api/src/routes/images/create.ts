import type { IncomingMessage } from 'node:http';
import { PolisError } from '@polis/core';
import { declaredLength, type ImportOptions, type PlatformSpec } from '@polis/image';
import { registryAuth } from '../../docker/registry-auth.js';
import type { Reply } from '../../http/reply.js';
import { ProgressStream } from './progress-stream.js';
import { familiarName } from '../../docker/names.js';
import { invalid } from '../../http/errors.js';
import { stringParam } from '../../http/query.js';
import type { Router } from '../../http/router.js';
import { imageEvent } from '@polis/monitor';
import type { ApiDeps } from '../../types.js';

export function parsePlatform(raw: string): ImportOptions['platform'] {
  const [os, architecture, variant, ...rest] = raw.split('/');
  if (!os || !architecture || rest.length > 0)
    throw invalid(`invalid platform: ${JSON.stringify(raw)} (os/arch[/variant])`);
  return variant ? { os, architecture, variant } : { os, architecture };
}

export function importOptions(query: URLSearchParams): ImportOptions {
  const repo = stringParam(query, 'repo');
  const tag = stringParam(query, 'tag');
  if (tag !== undefined && repo === undefined) throw invalid('Bad parameters: a tag needs a repo');
  const options: ImportOptions = { source: query.get('fromSrc') ?? '-' };
  if (repo !== undefined) options.reference = tag === undefined ? repo : `${repo}:${tag}`;
  const message = stringParam(query, 'message');
  if (message !== undefined) options.message = message;
  const changes = query.getAll('changes').filter((c) => c.trim() !== '');
  if (changes.length > 0) options.changes = changes;
  const platform = stringParam(query, 'platform');
  if (platform !== undefined) options.platform = parsePlatform(platform);
  return options;
}

/** One line of Docker's JSON-lines progress stream. */
export function jsonLine(message: object): string {
  return JSON.stringify(message) + '\r\n';
}

/**
 * `POST /images/create`: `fromImage` pulls from a registry, streaming Docker's progress lines;
 * `fromSrc=-` imports the request body as a root filesystem tarball.
 */
export function imageCreateRoute(router: Router, deps: ApiDeps): void {
  router.add('POST', '/images/create', async ({ req, query, reply }) => {
    const fromImage = stringParam(query, 'fromImage');
    const fromSrc = stringParam(query, 'fromSrc');
    if (fromImage !== undefined) return pull(deps, fromImage, req, query, reply);
    if (fromSrc === undefined) throw invalid('Bad parameters: fromImage or fromSrc is required');
    if (fromSrc !== '-') {
      throw new PolisError(
        'request.not_implemented',
        'importing from a URL is not supported yet; send the tarball as the body (fromSrc=-)',
      );
    }
    const options = importOptions(query);
    const size = declaredLength(req.headers['content-length']);
    if (size !== undefined) options.size = size;
    const image = await deps.images.importTarball(req, options);
    const name = image.repoTags[0];
    deps.events?.publish(imageEvent('import', image.id, name ? { name: familiarName(name) } : {}));
    const out = reply.stream('application/json');
    out.end(jsonLine({ status: image.id }));
  });
}

/** `fromImage=busybox&tag=latest` or `fromImage=busybox:latest` or `fromImage=x@sha256:…`. */
export function pullReference(fromImage: string, tag: string | undefined): string {
  if (tag === undefined) return fromImage;
  return tag.startsWith('sha256:') ? `${fromImage}@${tag}` : `${fromImage}:${tag}`;
}

async function pull(
  deps: ApiDeps,
  fromImage: string,
  req: IncomingMessage,
  query: URLSearchParams,
  reply: Reply,
): Promise<void> {
  const reference = pullReference(fromImage, stringParam(query, 'tag'));
  const platform = stringParam(query, 'platform');
  const auth = registryAuth(req.headers);
  const stream = new ProgressStream(reply, (e) => e.status.startsWith('Pulling from'));
  let result;
  try {
    result = await deps.images.pull(reference, {
      ...(platform ? { platform: parsePlatform(platform) as PlatformSpec } : {}),
      ...(auth ? { auth } : {}),
      onProgress: stream.sink,
      signal: reply.signal,
    });
  } catch (err) {
    stream.finish(err);
    return;
  }
  deps.events?.publish(imageEvent('pull', result.name, { name: result.name }));
  stream.finish();
}
