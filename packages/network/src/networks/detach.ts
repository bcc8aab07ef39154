import { createLogger } from '@polis/core';
import { containerNetnsName, hostVethName } from '../endpoint/wire.js';
import type { EndpointRecord } from '../types.js';
import type { NetworkContext } from './context.js';

const log = createLogger('network');

/** Runs each step even when an earlier one failed, then throws the first failure. */
async function allSteps(steps: (() => unknown)[]): Promise<void> {
  let first: unknown;
  for (const step of steps) {
    try {
      await step();
    } catch (err) {
      if (first === undefined) first = err;
      else log.warn('a further detach step failed', { error: err });
    }
  }
  if (first !== undefined) throw first;
}

async function unregister(ctx: NetworkContext, endpoints: EndpointRecord[]): Promise<void> {
  for (const e of endpoints) {
    const network = ctx.networks.byId(e.networkId);
    if (!ctx.dns || !network || network.isDefault || e.hostVeth === '') continue;
    try {
      await ctx.dns.unregister(network, e);
    } catch (err) {
      log.warn('could not remove DNS names', { container: e.containerId, network: network.name, error: err });
    }
  }
}

const vethOf = (e: EndpointRecord): string => e.hostVeth || hostVethName(e.containerId, e.networkId);

/**
 * Unwires a container from all its networks using only the database, so it also works after a crash:
 * DNS names, published ports (and the firewall), the container's named netns if it has one and veths
 * (each name derived again if it was never recorded), then the leases, released last so an address is
 * not reused while its veth may exist.
 */
export async function detachAll(ctx: NetworkContext, containerId: string): Promise<void> {
  const endpoints = ctx.endpoints.ofContainer(containerId);
  await allSteps([
    () => unregister(ctx, endpoints),
    async () => {
      const ports = ctx.ports.ofContainer(containerId);
      if (ctx.ports.deleteContainer(containerId) > 0) await ctx.updatePorts('delete', ports);
    },
    () => ctx.host.unwireEndpoints(endpoints.map(vethOf), containerNetnsName(containerId)),
    () => ctx.leases.releaseContainer(containerId),
    () =>
      ctx.db.transaction(() =>
        endpoints.forEach((e) => ctx.endpoints.clearWiring(e.networkId, containerId)),
      )(),
  ]);
}

/**
 * Unwires one endpoint of a running container (`network disconnect`), and with `forget` removes it
 * too. Its lease and record change in one transaction, so a database that refuses the write (a full
 * disk) leaves the endpoint whole in the records, for a retry to finish.
 */
export async function detachEndpoint(
  ctx: NetworkContext,
  endpoint: EndpointRecord,
  forget = false,
): Promise<void> {
  const { containerId, networkId } = endpoint;
  await allSteps([
    () => unregister(ctx, [endpoint]),
    async () => {
      const ports = ctx.ports.ofContainer(containerId).filter((p) => p.containerIp === endpoint.ipAddress);
      if (endpoint.ipAddress && ctx.ports.deleteFor(containerId, endpoint.ipAddress) > 0) {
        await ctx.updatePorts('delete', ports);
      }
    },
    () => ctx.host.unwireEndpoints([vethOf(endpoint)]),
    () =>
      ctx.db.transaction(() => {
        ctx.leases.releaseEndpoint(networkId, containerId);
        if (forget) ctx.endpoints.delete(networkId, containerId);
        else ctx.endpoints.clearWiring(networkId, containerId);
      })(),
  ]);
}
