import { PolisError } from '@polis/core';
import type { AlertEngine } from '@polis/monitor';
import { readJson } from '../http/body.js';
import type { Router } from '../http/router.js';
import type { ApiDeps } from '../types.js';

function engineOf(deps: ApiDeps): AlertEngine {
  if (!deps.alerts) throw new PolisError('request.unavailable', 'this daemon has no alert engine');
  return deps.alerts;
}

/** Polis's own `/polis/v1/alerts` endpoints: rules, a test notice, and the history. */
export function alertRoutes(router: Router, deps: ApiDeps): void {
  router.add('GET', '/polis/v1/alerts', ({ reply }) => {
    reply.json(200, engineOf(deps).list());
  });
  router.add('POST', '/polis/v1/alerts', async ({ req, reply }) => {
    reply.json(201, engineOf(deps).add(await readJson(req)));
  });
  router.add('GET', '/polis/v1/alerts/history', ({ query, reply }) => {
    const rule = query.get('rule') ?? undefined;
    const limitText = query.get('limit');
    const limit = limitText === null || limitText === '' ? 100 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 5000) {
      throw new PolisError('request.invalid', `invalid limit "${limitText}": use 1 to 5000`);
    }
    reply.json(200, engineOf(deps).history({ ...(rule ? { rule } : {}), limit }));
  });
  router.add('DELETE', '/polis/v1/alerts/{name}', ({ params, reply }) => {
    engineOf(deps).remove(params.name as string);
    reply.empty(204);
  });
  router.add('POST', '/polis/v1/alerts/{name}/test', async ({ params, reply }) => {
    reply.json(200, await engineOf(deps).test(params.name as string));
  });
}
