import type { StopOptions } from '@polis/runtime';
import { invalid } from '../../http/errors.js';
import { boolParam, intParam, stringParam } from '../../http/query.js';
import type { Router } from '../../http/router.js';
import { parseSignal } from '../../docker/signals.js';
import type { ApiDeps } from '../../types.js';

function stopOptions(query: URLSearchParams): StopOptions {
  const options: StopOptions = {};
  const timeout = intParam(query, 't');
  if (timeout !== undefined) options.timeout = timeout;
  const signal = stringParam(query, 'signal');
  if (signal !== undefined) options.signal = parseSignal(signal);
  return options;
}

/** start, stop, restart, kill, pause, unpause, rename, remove: each a single runtime call. */
export function lifecycleRoutes(router: Router, deps: ApiDeps): void {
  const c = deps.containers;
  router.add('POST', '/containers/{id}/start', async ({ params, reply }) => {
    await c.start(params.id as string);
    reply.empty(204);
  });
  router.add('POST', '/containers/{id}/stop', async ({ params, query, reply }) => {
    await c.stop(params.id as string, stopOptions(query));
    reply.empty(204);
  });
  router.add('POST', '/containers/{id}/restart', async ({ params, query, reply }) => {
    await c.restart(params.id as string, stopOptions(query));
    reply.empty(204);
  });
  router.add('POST', '/containers/{id}/kill', async ({ params, query, reply }) => {
    const signal = stringParam(query, 'signal');
    await c.kill(params.id as string, signal === undefined ? undefined : parseSignal(signal));
    reply.empty(204);
  });
  router.add('POST', '/containers/{id}/pause', async ({ params, reply }) => {
    await c.pause(params.id as string);
    reply.empty(204);
  });
  router.add('POST', '/containers/{id}/unpause', async ({ params, reply }) => {
    await c.unpause(params.id as string);
    reply.empty(204);
  });
  router.add('POST', '/containers/{id}/rename', async ({ params, query, reply }) => {
    const name = stringParam(query, 'name');
    if (name === undefined) throw invalid('Bad parameters: the new name is required (name=…)');
    await c.rename(params.id as string, name);
    reply.empty(204);
  });
  router.add('DELETE', '/containers/{id}', async ({ params, query, reply }) => {
    if (boolParam(query, 'link')) throw invalid('container links are not supported');
    await c.remove(params.id as string, { force: boolParam(query, 'force'), volumes: boolParam(query, 'v') });
    reply.empty(204);
  });
}
