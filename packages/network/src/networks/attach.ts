import { createLogger, shortId } from '@polis/core';
import { hostVethName, macFor, type WireRequest } from '../endpoint/wire.js';
import { parseCidr } from '../ipam/cidr.js';
import type {
  AttachOptions,
  AttachResult,
  ContainerNetworkInfo,
  EndpointRecord,
  EndpointRequest,
  NetnsTarget,
  NetworkRecord,
  PortBinding,
} from '../types.js';
import { connectEndpoint } from './connect.js';
import type { NetworkContext } from './context.js';
import { detachAll, detachEndpoint } from './detach.js';
import { Undo } from './undo.js';

const log = createLogger('network');

type Endpoint = EndpointRecord & { network: NetworkRecord };

interface Plan {
  endpoint: EndpointRecord;
  network: NetworkRecord;
  interfaceName: string;
  defaultRoute: boolean;
}

/**
 * Leases the addresses and records the wiring and DNS names of `plans`, all before anything is done on
 * the host. Synchronous, for the caller's transaction: when SQLite fails (a full disk) nothing is
 * written and nothing is left to undo, on the host or in the database.
 */
function record(
  ctx: NetworkContext,
  container: ContainerNetworkInfo,
  netns: NetnsTarget,
  plans: Plan[],
): WireRequest[] {
  return plans.map((p) => {
    const address = ctx.leases.acquire(p.network, container.id, p.endpoint.staticIp);
    const request: WireRequest = {
      netns,
      bridge: p.network.bridge,
      hostVeth: hostVethName(container.id, p.network.id),
      interfaceName: p.interfaceName,
      address,
      prefixLength: parseCidr(p.network.subnet).prefix,
      macAddress: macFor(address),
      gateway: p.network.gateway,
      defaultRoute: p.defaultRoute,
    };
    ctx.endpoints.setWiring(p.network.id, container.id, {
      ipAddress: request.address,
      prefixLength: request.prefixLength,
      macAddress: request.macAddress,
      interfaceName: request.interfaceName,
      hostVeth: request.hostVeth,
    });
    if (!p.network.isDefault) {
      ctx.endpoints.setDnsNames(p.network.id, container.id, dnsNames(container, p.endpoint));
    }
    return request;
  });
}

/** The names the embedded DNS answers for an endpoint: container name, aliases, short id. */
export function dnsNames(container: ContainerNetworkInfo, endpoint: EndpointRecord): string[] {
  return [...new Set([container.name, ...endpoint.aliases, shortId(container.id)].filter((n) => n !== ''))];
}

async function registerNames(ctx: NetworkContext, containerId: string, plans: Plan[]): Promise<void> {
  for (const p of plans) {
    if (p.network.isDefault) continue;
    const endpoint = ctx.endpoints.get(p.network.id, containerId)!;
    await ctx.dns?.register(p.network, endpoint, ctx.endpoints.dnsNames(p.network.id, containerId));
  }
}

/** Picks host ports and records them, alone (two containers must not pick one port), then the firewall. */
async function publish(
  ctx: NetworkContext,
  container: ContainerNetworkInfo,
  containerIp: string,
): Promise<void> {
  const published = await ctx.exclusive(async () => {
    const bindings = await ctx.host.resolveBindings(container, ctx.ports.all());
    ctx.ports.insert(container.id, containerIp, bindings);
    return bindings.map((b) => ({ ...b, containerIp }));
  });
  if (published.length > 0) await ctx.updatePorts('add', published);
}

const toBinding = (p: PortBinding): PortBinding => ({
  protocol: p.protocol,
  containerPort: p.containerPort,
  hostIp: p.hostIp,
  hostPort: p.hostPort,
});

export function portsOf(ctx: NetworkContext, containerId: string): PortBinding[] {
  return ctx.ports.ofContainer(containerId).map(toBinding);
}

/** The container's wired endpoints with their networks, in interface order. */
function wiredEndpoints(ctx: NetworkContext, containerId: string): Endpoint[] {
  return ctx.endpoints
    .ofContainer(containerId)
    .filter((e) => e.hostVeth !== '')
    .map((e) => ({ ...e, network: ctx.networkOf(e) }))
    .sort((a, b) => a.interfaceName.localeCompare(b.interfaceName, 'en', { numeric: true }));
}

function result(ctx: NetworkContext, containerId: string): AttachResult {
  const endpoints = wiredEndpoints(ctx, containerId);
  return {
    endpoints,
    ports: portsOf(ctx, containerId),
    // The embedded DNS listens on each user network's gateway; the default bridge uses the host's.
    nameservers: endpoints.filter((e) => !e.network.isDefault).map((e) => e.network.gateway),
  };
}

/**
 * Wires a container into all its networks (the default one when it has none): eth0 (with the default
 * route) for the first connected, eth1… for the rest; then DNS names and published ports. On failure
 * everything is undone from the database's record, as after a crash.
 */
export async function attachAll(
  ctx: NetworkContext,
  container: ContainerNetworkInfo,
  netns: NetnsTarget,
  defaultNetwork: NetworkRecord,
  options: AttachOptions = {},
): Promise<AttachResult> {
  // Wiring left from an earlier run of this container (a crash before its detach) goes first.
  if (ctx.endpoints.ofContainer(container.id).some((e) => e.hostVeth !== ''))
    await detachAll(ctx, container.id);
  let addedDefault = false;
  const { plans, requests } = ctx.db.transaction(() => {
    let endpoints = ctx.endpoints.ofContainer(container.id);
    if (endpoints.length === 0) {
      ctx.endpoints.insert(defaultNetwork.id, container.id, []);
      endpoints = ctx.endpoints.ofContainer(container.id);
      addedDefault = true;
    }
    // The default route goes through the first network with a way out; internal networks get none,
    // as in Docker.
    const networks = endpoints.map((e) => ctx.networkOf(e));
    const routed = networks.findIndex((n) => !n.internal);
    const plans = endpoints.map((endpoint, i) => ({
      endpoint,
      network: networks[i]!,
      interfaceName: `eth${i}`,
      defaultRoute: i === routed,
    }));
    return { plans, requests: record(ctx, container, netns, plans) };
  })();
  try {
    // Published ports need only the address (leased above), not the veth: their firewall rules are made
    // while the links are, and both have settled before an undo runs.
    const steps = await Promise.allSettled([
      ctx.host.wireEndpoints(requests, options.onNetns),
      publish(ctx, container, requests[0]!.address),
    ]);
    for (const s of steps) if (s.status === 'rejected') throw s.reason;
    await registerNames(ctx, container.id, plans);
    return result(ctx, container.id);
  } catch (err) {
    const undo = new Undo({ container: container.id });
    if (addedDefault)
      undo.push('forget the default endpoint', () => ctx.endpoints.delete(defaultNetwork.id, container.id));
    undo.push('unwire the container', () => detachAll(ctx, container.id));
    await undo.run();
    throw err;
  }
}

/** Connects a running container to one more network and wires it now (the next free ethN). */
export async function attachOne(
  ctx: NetworkContext,
  container: ContainerNetworkInfo,
  pid: number,
  request: EndpointRequest,
): Promise<AttachResult> {
  const { endpoint, network, plan, requests } = ctx.db.transaction(() => {
    const endpoint = connectEndpoint(ctx, container.id, request);
    const network = ctx.networkOf(endpoint);
    const wired = wiredEndpoints(ctx, container.id);
    const used = new Set(wired.map((e) => e.interfaceName));
    let n = 0;
    while (used.has(`eth${n}`)) n++;
    const routed = wired.some((e) => !ctx.networkOf(e).internal);
    const plan: Plan = {
      endpoint,
      network,
      interfaceName: `eth${n}`,
      defaultRoute: !routed && !network.internal,
    };
    return { endpoint, network, plan, requests: record(ctx, container, { pid }, [plan]) };
  })();
  try {
    await ctx.host.wireEndpoints(requests);
    await registerNames(ctx, container.id, [plan]);
    return result(ctx, container.id);
  } catch (err) {
    await detachEndpoint(ctx, ctx.endpoints.get(network.id, container.id) ?? endpoint, true).catch(
      (undoErr: unknown) =>
        log.warn('could not undo a failed connect', {
          container: container.id,
          network: network.name,
          error: undoErr,
        }),
    );
    throw err;
  }
}
