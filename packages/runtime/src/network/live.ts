import { PolisError } from '@polis/core';
import type { EndpointRequest } from '@polis/network';
import type { RuntimeContext } from '../context.js';
import { resolveContainer } from '../store/resolve.js';
import { refuseIfRemoving } from '../lifecycle/removal-mark.js';
import { isNetworked, networkInfo, rewriteHosts } from './wire.js';

function networksOf(ctx: RuntimeContext): NonNullable<RuntimeContext['networks']> {
  if (!ctx.networks) throw new PolisError('request.not_implemented', 'this daemon has no network layer');
  return ctx.networks;
}

const isLive = (status: string): boolean => status === 'running' || status === 'paused';

/**
 * `network connect`: a running container is wired into the network now (and its /etc/hosts gets the
 * new address); a stopped one is wired at its next start.
 */
export async function connectNetwork(
  ctx: RuntimeContext,
  reference: string,
  request: EndpointRequest,
): Promise<void> {
  const networks = networksOf(ctx);
  const id = resolveContainer(ctx.store, reference).id;
  await ctx.locks.run(id, async () => {
    // As Docker: an endpoint made now would only be torn down again by the removal.
    refuseIfRemoving(ctx, id, 'be connected to a network');
    const record = resolveContainer(ctx.store, id);
    if (!isNetworked(record.spec.network.mode)) {
      throw new PolisError(
        'network.invalid',
        'container sharing network namespace with another container or host cannot be connected to any other network',
      );
    }
    if (!isLive(record.state.status)) {
      await networks.connect(id, request);
      return;
    }
    await networks.attachOne(networkInfo(ctx, record), record.state.pid, request);
    await rewriteHosts(record, networks.endpointsOf(id));
  });
}

/** `network disconnect`: unwired now if running, and forgotten either way. */
export async function disconnectNetwork(
  ctx: RuntimeContext,
  reference: string,
  network: string,
  force = false,
): Promise<void> {
  const networks = networksOf(ctx);
  const id = resolveContainer(ctx.store, reference).id;
  await ctx.locks.run(id, async () => {
    const record = resolveContainer(ctx.store, id);
    if (!isLive(record.state.status)) {
      await networks.disconnect(id, network, force);
      return;
    }
    await networks.detachOne(id, network);
    await rewriteHosts(record, networks.endpointsOf(id));
  });
}
