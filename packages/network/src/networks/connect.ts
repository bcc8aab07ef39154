import { PolisError, shortId } from '@polis/core';
import { checkStatic, poolOf } from '../ipam/allocate.js';
import type { EndpointRecord, EndpointRequest } from '../types.js';
import type { NetworkContext } from './context.js';
import { resolveNetwork } from './resolve.js';

/** Records that a container belongs to a network, with Docker's checks on aliases and `--ip`. */
export function connectEndpoint(
  ctx: NetworkContext,
  containerId: string,
  request: EndpointRequest,
): EndpointRecord {
  const network = resolveNetwork(ctx.networks, request.network);
  if (ctx.endpoints.get(network.id, containerId)) {
    throw new PolisError(
      'network.already_connected',
      `container ${shortId(containerId)} is already connected to network ${network.name}`,
      { context: { container: containerId, network: network.id } },
    );
  }
  const aliases = [...new Set(request.aliases ?? [])];
  if (network.isDefault && aliases.length > 0) {
    throw new PolisError(
      'network.invalid',
      'network-scoped alias is supported only for containers in user defined networks',
    );
  }
  let staticIp: string | undefined;
  if (request.ip) {
    if (network.isDefault) {
      throw new PolisError(
        'network.invalid',
        'user specified IP address is supported on user defined networks only',
      );
    }
    // Whether it is free is checked when the address is leased, at start, as in Docker.
    staticIp = checkStatic(poolOf(network), request.ip, new Set());
  }
  ctx.endpoints.insert(network.id, containerId, aliases, staticIp);
  return ctx.endpoints.get(network.id, containerId)!;
}
