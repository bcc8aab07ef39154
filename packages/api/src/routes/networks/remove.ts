import { filtersParam } from '../../http/query.js';
import type { Router } from '../../http/router.js';
import type { ApiDeps } from '../../types.js';
import { findBuiltin, refuseBuiltin } from './builtin.js';
import { networkEvent } from './events.js';
import { networksOf } from './service.js';

/** `DELETE /networks/{id}` and `POST /networks/prune`. */
export function removeNetworkRoutes(router: Router, deps: ApiDeps): void {
  router.add('DELETE', '/networks/{id}', async ({ params, reply }) => {
    const builtin = findBuiltin(params.id as string);
    if (builtin) refuseBuiltin(builtin, 'removed');
    const networks = networksOf(deps);
    const record = networks.get(params.id as string);
    await networks.remove(record.id);
    deps.events?.publish(networkEvent('destroy', record));
    reply.empty(204);
  });
  router.add('POST', '/networks/prune', async ({ query, reply }) => {
    const networks = networksOf(deps);
    const filters = filtersParam(query);
    // Prune answers names; the events want ids, so the records are looked up before they go.
    const before = new Map(networks.list().map((n) => [n.name, n]));
    const names = await networks.prune(filters);
    for (const name of names) {
      const record = before.get(name);
      if (record) deps.events?.publish(networkEvent('destroy', record));
    }
    reply.json(200, { NetworksDeleted: names });
  });
}
