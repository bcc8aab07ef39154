import type { IncomingMessage } from 'node:http';
import { PolisError, createLogger, isPolisError } from '@polis/core';
import type { VolumeService } from '@polis/storage';
import { boolParam, stringParam } from '../../http/query.js';
import type { Router } from '../../http/router.js';
import type { ApiDeps } from '../../types.js';
import { volumeResource } from './shapes.js';

const log = createLogger('api');

function volumesOf(deps: ApiDeps): VolumeService {
  if (!deps.volumes) throw new PolisError('request.unavailable', 'this daemon has no volume service');
  return deps.volumes;
}

/** Pauses the running containers that use the volume; returns the ones this call paused. */
async function pauseUsers(deps: ApiDeps, ids: string[]): Promise<string[]> {
  const paused: string[] = [];
  for (const id of ids) {
    try {
      await deps.containers.pause(id);
      paused.push(id);
    } catch (err) {
      // Not running (nothing writes) or paused already (by its owner, who also unpauses it).
      if (isPolisError(err, 'container.not_running') || isPolisError(err, 'container.is_paused')) continue;
      await unpauseAll(deps, paused);
      throw err;
    }
  }
  return paused;
}

async function unpauseAll(deps: ApiDeps, ids: string[]): Promise<void> {
  for (const id of ids) {
    await deps.containers.unpause(id).catch((err: unknown) => {
      log.warn('unpausing a container after a volume backup', { container: id, error: err });
    });
  }
}

/** Reads what is left of a request body, so an error answer reaches a client still sending. */
async function drain(req: IncomingMessage): Promise<void> {
  if (req.readableEnded || req.destroyed) return;
  await new Promise<void>((resolve) => {
    req.on('end', resolve);
    req.on('close', resolve);
    req.resume();
  });
}

/**
 * Polis's own volume backup and restore (Docker has none): `GET /polis/v1/volumes/{name}/backup`
 * streams a zstd-compressed tar with a manifest and digest, `?pause=1` pausing the containers using the
 * volume while it is read; `POST /polis/v1/volumes/restore[?name=]` recreates a volume from one.
 */
export function volumeBackupRoutes(router: Router, deps: ApiDeps): void {
  router.add('GET', '/polis/v1/volumes/{name}/backup', async ({ params, query, reply }) => {
    const volumes = volumesOf(deps);
    const name = params.name as string;
    volumes.get(name);
    const paused = boolParam(query, 'pause') ? await pauseUsers(deps, volumes.usersOf(name)) : [];
    try {
      const archive = await volumes.backup(name);
      await archive.pipeTo(reply.stream('application/zstd'));
    } finally {
      await unpauseAll(deps, paused);
    }
  });
  router.add('POST', '/polis/v1/volumes/restore', async ({ req, query, reply }) => {
    const name = stringParam(query, 'name');
    try {
      const volume = await volumesOf(deps).restore(req, name === undefined ? {} : { name });
      reply.json(201, volumeResource(volume));
    } catch (err) {
      await drain(req);
      throw err;
    }
  });
}
