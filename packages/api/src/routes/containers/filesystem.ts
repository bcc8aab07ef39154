import { pipeline } from 'node:stream/promises';
import { isPolisError, type ImageRunConfig } from '@polis/core';
import type { FsChange } from '@polis/runtime';
import { readJson } from '../../http/body.js';
import { invalid } from '../../http/errors.js';
import { boolParam, stringParam } from '../../http/query.js';
import type { Router } from '../../http/router.js';
import { containerConfigOf } from '../../docker/container-config.js';
import type { ApiDeps } from '../../types.js';

/** The fields of a container's Config that a committed image keeps (Docker's commit does so too). */
const KEPT = [
  'User',
  'ExposedPorts',
  'Env',
  'Entrypoint',
  'Cmd',
  'Volumes',
  'WorkingDir',
  'Labels',
  'StopSignal',
  'OnBuild',
] as const;

/** `docker diff`, `docker export` and `docker commit`. */
export function filesystemRoutes(router: Router, deps: ApiDeps): void {
  router.add('GET', '/containers/{id}/changes', async ({ params, reply }) => {
    const changes = await deps.containers.changes(params.id as string);
    reply.json(
      200,
      changes.map((c: FsChange) => ({ Path: c.path, Kind: c.kind })),
    );
  });

  router.add('GET', '/containers/{id}/export', async ({ params, reply }) => {
    const tar = await deps.containers.export(params.id as string);
    await pipeline(tar, reply.stream('application/x-tar'));
  });

  router.add('POST', '/commit', async ({ req, query, reply }) => {
    const container = stringParam(query, 'container');
    if (container === undefined) throw invalid('Bad parameters: container is required');
    const record = deps.containers.get(container);
    const repo = stringParam(query, 'repo');
    const tag = stringParam(query, 'tag');
    if (repo === undefined && tag !== undefined) throw invalid('Bad parameters: a tag needs a repository');
    const body = await readJson(req);
    const runConfig = { ...keptConfig(containerConfigOf(record, imageDefaults(deps, record.imageId))) };
    // Fields set in the body (the API's `Config`) win over the container's, as in Docker's merge.
    if (body !== null && body !== undefined) {
      if (typeof body !== 'object' || Array.isArray(body))
        throw invalid('Bad parameters: the body must be a config object');
      Object.assign(runConfig, nonEmpty(keptConfig(body as Record<string, unknown>)));
    }
    const image = await deps.containers.commit(record.id, {
      runConfig,
      changes: query.getAll('changes').filter((c) => c.trim() !== ''),
      ...(stringParam(query, 'comment') !== undefined ? { comment: stringParam(query, 'comment') } : {}),
      ...(stringParam(query, 'author') !== undefined ? { author: stringParam(query, 'author') } : {}),
      ...(repo !== undefined ? { reference: tag === undefined ? repo : `${repo}:${tag}` } : {}),
      pause: boolParam(query, 'pause', true),
    });
    reply.json(201, { Id: image.id });
  });
}

function imageDefaults(deps: ApiDeps, imageId: string): ImageRunConfig | undefined {
  try {
    return deps.images.get(imageId).config.config ?? {};
  } catch (err) {
    if (isPolisError(err, 'image.not_found')) return undefined;
    throw err;
  }
}

function keptConfig(config: Record<string, unknown>): ImageRunConfig {
  const out: Record<string, unknown> = {};
  for (const key of KEPT) if (config[key] !== undefined) out[key] = config[key];
  return out as ImageRunConfig;
}

/** Go's zero values in a posted config mean "not set". */
function nonEmpty(config: ImageRunConfig): ImageRunConfig {
  return Object.fromEntries(
    Object.entries(config).filter(
      ([, v]) =>
        v !== null &&
        v !== '' &&
        !(Array.isArray(v) && v.length === 0) &&
        !(typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0),
    ),
  ) as ImageRunConfig;
}
