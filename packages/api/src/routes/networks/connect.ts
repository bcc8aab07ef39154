import type { EndpointRequest } from '@polis/network';
import { readJson } from '../../http/body.js';
import { invalid } from '../../http/errors.js';
import type { Router } from '../../http/router.js';
import { endpointSpecFrom } from '../../docker/create-body.js';
import { Fields } from '../../docker/fields.js';
import type { ApiDeps } from '../../types.js';
import { findBuiltin, refuseBuiltin } from './builtin.js';
import { networkEvent } from './events.js';
import { networksOf } from './service.js';

/**
 * What the runtime offers for a running container: wiring it into one more network (or out of one)
 * and rewriting its /etc/hosts. Without these, the network layer records the change for the next start.
 */
interface LiveNetworking {
  connectNetwork?(reference: string, request: EndpointRequest): Promise<unknown>;
  disconnectNetwork?(reference: string, network: string, force?: boolean): Promise<unknown>;
}

function containerOf(body: Fields): string {
  const container = body.str('Container') ?? '';
  if (container === '') throw invalid('container is required (Container)');
  return container;
}

/** `POST /networks/{id}/connect` and `/disconnect`. */
export function connectRoutes(router: Router, deps: ApiDeps): void {
  const live = deps.containers as typeof deps.containers & LiveNetworking;
  router.add('POST', '/networks/{id}/connect', async ({ req, params, reply }) => {
    const builtin = findBuiltin(params.id as string);
    if (builtin) refuseBuiltin(builtin, 'connected to');
    const networks = networksOf(deps);
    const body = Fields.of(await readJson(req), '');
    const container = deps.containers.get(containerOf(body));
    const network = networks.get(params.id as string);
    const spec = endpointSpecFrom(
      network.isDefault ? 'bridge' : network.name,
      body.child('EndpointConfig'),
      '',
    );
    const request: EndpointRequest = { ...spec, network: network.id };
    if (live.connectNetwork) await live.connectNetwork(container.id, request);
    else await networks.connect(container.id, request);
    deps.events?.publish(networkEvent('connect', network, container.id));
    reply.empty(200);
  });
  router.add('POST', '/networks/{id}/disconnect', async ({ req, params, reply }) => {
    const builtin = findBuiltin(params.id as string);
    if (builtin) refuseBuiltin(builtin, 'disconnected from');
    const networks = networksOf(deps);
    const body = Fields.of(await readJson(req), '');
    const container = deps.containers.get(containerOf(body));
    const network = networks.get(params.id as string);
    const force = body.bool('Force');
    if (live.disconnectNetwork) await live.disconnectNetwork(container.id, network.id, force);
    else await networks.disconnect(container.id, network.id, force);
    deps.events?.publish(networkEvent('disconnect', network, container.id));
    reply.empty(200);
  });
}
