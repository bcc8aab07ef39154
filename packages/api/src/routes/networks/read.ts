import { PolisError } from '@polis/core';
import type { NetworkRecord, NetworkService } from '@polis/network';
import { invalid } from '../../http/errors.js';
import { filtersParam, stringParam } from '../../http/query.js';
import type { Router } from '../../http/router.js';
import { isWired, networkResource, type AttachedContainer } from '../../docker/network-shapes.js';
import type { ApiDeps } from '../../types.js';
import { builtinResource, findBuiltin, listBuiltins } from './builtin.js';

const LIST_FILTERS = ['driver', 'id', 'label', 'name', 'scope', 'type', 'dangling'];

/**
 * The filters of `GET /networks`, checked. `scope` is answered here: every Polis network is `local`, so
 * the network layer only sees the others.
 */
export function listFilters(query: URLSearchParams): { filters: Record<string, string[]>; none: boolean } {
  const filters = { ...(filtersParam(query) ?? {}) };
  for (const key of Object.keys(filters)) {
    if (!LIST_FILTERS.includes(key)) throw invalid(`invalid filter '${key}'`);
  }
  const scope = filters.scope ?? [];
  delete filters.scope;
  return { filters, none: scope.length > 0 && !scope.includes('local') };
}

/** The running containers on a network, with their endpoint there (inspect's `Containers`). */
export function attachedTo(deps: ApiDeps, networks: NetworkService, n: NetworkRecord): AttachedContainer[] {
  const out: AttachedContainer[] = [];
  for (const c of deps.containers.list({ all: true })) {
    for (const endpoint of networks.endpointsOf(c.id)) {
      if (endpoint.networkId === n.id && isWired(endpoint)) out.push({ id: c.id, name: c.name, endpoint });
    }
  }
  return out;
}

export function readNetworkRoutes(router: Router, deps: ApiDeps): void {
  // A daemon without a network layer has no networks: lists are empty and lookups not found, so
  // clients that look for an object among all kinds (`docker inspect NAME`) go on to the next kind.
  router.add('GET', '/networks', ({ query, reply }) => {
    const { filters, none } = listFilters(query);
    const networks = deps.networks;
    if (none) return reply.json(200, []);
    const own = networks ? networks.list(filters).map((n) => networkResource(n)) : [];
    reply.json(200, [...own, ...listBuiltins(filters).map(builtinResource)]);
  });
  router.add('GET', '/networks/{id}', ({ params, query, reply }) => {
    const networks = deps.networks;
    const builtin = findBuiltin(params.id as string);
    if (builtin) return reply.json(200, builtinResource(builtin));
    if (!networks) throw new PolisError('network.not_found', `network ${params.id as string} not found`);
    const n = networks.get(params.id as string);
    const scope = stringParam(query, 'scope');
    // Every Polis network is local: asked for another scope, it is not found, as Docker answers.
    if (scope !== undefined && scope !== 'local') {
      throw new PolisError('network.not_found', `network ${params.id as string} not found`);
    }
    reply.json(200, networkResource(n, attachedTo(deps, networks, n)));
  });
}
