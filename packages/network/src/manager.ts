import type Database from 'better-sqlite3';
import { PolisError, createLogger, generateId, shortId, type HealthCheck } from '@polis/core';
import { bridgeName, type BridgeSpec } from './bridge/bridge.js';
import { formatAddress, formatCidr, maskOf, parseAddress, parseCidr } from './ipam/cidr.js';
import type { AddressPool } from './ipam/pools.js';
import { hostNames } from './naming.js';
import type { EmbeddedDns } from './dns/server.js';
import { networkHealthChecks } from './health.js';
import { reattachVeths } from './networks/reattach.js';
import { attachAll, attachOne, portsOf } from './networks/attach.js';
import { connectEndpoint } from './networks/connect.js';
import { NetworkContext, realHost, type DnsHooks, type HostOps } from './networks/context.js';
import { detachAll, detachEndpoint } from './networks/detach.js';
import { filterNetworks, pruneCandidates } from './networks/filters.js';
import { resolveNetwork } from './networks/resolve.js';
import { Undo } from './networks/undo.js';
import { autoSubnet, findOverlap, validateCreate } from './networks/validate.js';
import { createSchema } from './store/schema.js';
import type {
  AttachOptions,
  AttachResult,
  ContainerNetworkInfo,
  CreateNetworkOptions,
  EndpointRecord,
  EndpointRequest,
  NetnsTarget,
  NetworkFilters,
  NetworkRecord,
  NetworkService,
  PortBinding,
} from './types.js';

const log = createLogger('network');

export interface NetworkManagerOptions {
  /** The daemon's shared database; the tables made here are prefixed `network_`. */
  db: Database.Database;
  /** The default `bridge` network's subnet, or its gateway in CIDR form as dockerd's `bip`. */
  defaultSubnet?: string;
  /** Pools that networks without `--subnet` are cut from (dockerd's `--default-address-pool`). */
  addressPools?: readonly AddressPool[];
  dns?: DnsHooks;
  /** Names the nftables table and the default bridge (see `hostNames`); default `/var/lib/polis`. */
  dataRoot?: string;
  /** Replaces host operations (unit tests of the code above them). */
  host?: Partial<HostOps>;
}

const bridgeSpec = (n: NetworkRecord): BridgeSpec => ({
  name: n.bridge,
  gateway: n.gateway,
  prefixLength: parseCidr(n.subnet).prefix,
});

/** `172.17.0.0/16` or `172.17.0.1/16` (dockerd's `bip`: the gateway with its prefix). */
function parseDefaultSubnet(text: string): { subnet: string; gateway?: string } {
  const [addr = '', len = ''] = text.split('/');
  const address = parseAddress(addr);
  if (!address || address.family !== 4 || !/^\d+$/.test(len) || Number(len) > 30) {
    throw new PolisError('network.invalid', `invalid default subnet ${text}`);
  }
  const base = address.value & maskOf(4, Number(len));
  const subnet = formatCidr({ family: 4, base, prefix: Number(len) });
  return base === address.value ? { subnet } : { subnet, gateway: formatAddress(address.value, 4) };
}

/** The network layer: bridges, IPAM, endpoints, published ports and the firewall, kept in SQLite. */
export class NetworkManager implements NetworkService {
  private readonly ctx: NetworkContext;
  private readonly defaultBridge: string;
  private readonly defaultSubnet: string;
  private readonly pools: readonly AddressPool[] | undefined;

  constructor(options: NetworkManagerOptions) {
    createSchema(options.db);
    const names = hostNames(options.dataRoot ?? '/var/lib/polis');
    this.defaultBridge = names.defaultBridge;
    this.pools = options.addressPools?.length ? options.addressPools : undefined;
    // Like dockerd: with pools of its own and no --bip, the default bridge takes the first free one.
    this.defaultSubnet = options.defaultSubnet ?? (this.pools ? '' : '172.17.0.0/16');
    this.ctx = new NetworkContext(options.db, { ...realHost, ...options.host }, names.table, options.dns);
  }

  /** Makes the default network (once), restores every stored network's bridge, rebuilds the firewall. */
  async init(): Promise<void> {
    await this.ctx.exclusive(async () => {
      if (!this.ctx.networks.all().some((n) => n.isDefault)) await this.createDefault();
      const all = this.ctx.networks.all();
      await this.ctx.host.ensureBridges(all.map(bridgeSpec));
      // Veths that do not exist on this host (unit tests' fake endpoints) are skipped there.
      const moved = await reattachVeths(this.ctx).catch((err: unknown) => {
        log.warn('could not put container veths back on their bridges', { error: err });
        return [];
      });
      if (moved.length > 0) log.info('container veths put back on their restored bridges', { veths: moved });
      await this.ctx.syncFirewall();
    });
  }

  private async createDefault(): Promise<void> {
    // The default bridge's own route (left from an earlier daemon) does not count as a conflict.
    const routes = (await this.ctx.host.routes()).filter((r) => r.dev !== this.defaultBridge);
    const space = { networks: this.ctx.networks.all(), routes, pools: this.pools };
    const wanted: { subnet: string; gateway?: string } = this.defaultSubnet
      ? parseDefaultSubnet(this.defaultSubnet)
      : { subnet: autoSubnet(space) };
    let { subnet, gateway } = wanted;
    const conflict = findOverlap(parseCidr(subnet), space);
    if (conflict) {
      subnet = autoSubnet(space);
      gateway = undefined;
      log.warn('default bridge subnet overlaps; using another', { wanted: wanted.subnet, conflict, subnet });
    }
    const cidr = parseCidr(subnet);
    this.ctx.networks.insert({
      id: generateId(),
      name: 'bridge',
      driver: 'bridge',
      isDefault: true,
      subnet,
      gateway: gateway ?? formatAddress(cidr.base + 1n, 4),
      internal: false,
      labels: {},
      options: {
        'com.docker.network.bridge.default_bridge': 'true',
        'com.docker.network.bridge.name': this.defaultBridge,
      },
      bridge: this.defaultBridge,
      created: new Date().toISOString(),
    });
  }

  private defaultNetwork(): NetworkRecord {
    const found = this.ctx.networks.all().find((n) => n.isDefault);
    if (!found)
      throw new PolisError('network.not_found', 'network bridge not found (network layer not initialised)');
    return found;
  }

  create(options: CreateNetworkOptions): Promise<NetworkRecord> {
    return this.ctx.exclusive(async () => {
      const space = {
        networks: this.ctx.networks.all(),
        routes: await this.ctx.host.routes(),
        pools: this.pools,
      };
      const spec = validateCreate(options, space);
      const id = generateId();
      const record: NetworkRecord = {
        id,
        driver: 'bridge',
        isDefault: false,
        ...spec,
        bridge: bridgeName(id),
        created: new Date().toISOString(),
      };
      // Each step pushes its undo; a failure anywhere (SQLite's "database or disk is full" at the
      // record, a firewall that will not apply) takes back all that was done, so a retry starts clean.
      const undo = new Undo({ network: record.name });
      try {
        undo.push('delete the bridge', () => this.ctx.host.deleteBridges([record.bridge]));
        await this.ctx.host.ensureBridges([bridgeSpec(record)]);
        this.ctx.networks.insert(record);
        undo.push('rebuild the firewall without it', () => this.ctx.syncFirewall());
        undo.push('delete the record', () => this.ctx.networks.delete(id));
        await this.ctx.syncFirewall();
      } catch (err) {
        await undo.run();
        throw err;
      }
      return record;
    });
  }

  list(filters: NetworkFilters = {}): NetworkRecord[] {
    return filterNetworks(
      this.ctx.networks.all(),
      filters,
      (id) => this.ctx.endpoints.ofNetwork(id).length > 0,
    );
  }

  get(reference: string): NetworkRecord {
    return resolveNetwork(this.ctx.networks, reference);
  }

  remove(reference: string): Promise<void> {
    return this.ctx.exclusive(() => this.removeNetwork(this.get(reference)));
  }

  private async removeNetwork(network: NetworkRecord): Promise<void> {
    if (network.isDefault) {
      throw new PolisError(
        'network.predefined',
        `${network.name} is a pre-defined network and cannot be removed`,
        {
          context: { network: network.id },
        },
      );
    }
    const containers = this.ctx.endpoints.ofNetwork(network.id).map((e) => e.containerId);
    if (containers.length > 0) {
      throw new PolisError(
        'network.in_use',
        `error while removing network: network ${network.name} id ${network.id} has active endpoints ` +
          `(containers: ${containers.map(shortId).join(', ')})`,
        { context: { network: network.id, containers } },
      );
    }
    await this.ctx.dns?.networkDown(network);
    this.ctx.networks.delete(network.id);
    await this.ctx.syncFirewall();
    await this.ctx.host.deleteBridges([network.bridge]);
  }

  prune(filters: NetworkFilters = {}): Promise<string[]> {
    return this.ctx.exclusive(async () => {
      const inUse = (id: string): boolean => this.ctx.endpoints.ofNetwork(id).length > 0;
      const removed: string[] = [];
      for (const n of pruneCandidates(this.ctx.networks.all(), filters, inUse)) {
        await this.removeNetwork(n);
        removed.push(n.name);
      }
      return removed;
    });
  }

  async connect(containerId: string, request: EndpointRequest): Promise<EndpointRecord> {
    return connectEndpoint(this.ctx, containerId, request);
  }

  async disconnect(containerId: string, network: string, force = false): Promise<void> {
    const record = this.get(network);
    const endpoint = this.ctx.endpoints.get(record.id, containerId);
    if (!endpoint) {
      if (force) return;
      throw new PolisError(
        'network.not_connected',
        `container ${shortId(containerId)} is not connected to network ${record.name}`,
        { context: { container: containerId, network: record.id } },
      );
    }
    if (endpoint.hostVeth !== '') await detachEndpoint(this.ctx, endpoint, true);
    else this.ctx.endpoints.delete(record.id, containerId);
  }

  endpointsOf(containerId: string): (EndpointRecord & { network: NetworkRecord })[] {
    return this.ctx.endpoints.ofContainer(containerId).map((e) => ({ ...e, network: this.ctx.networkOf(e) }));
  }

  /** Wires a container into all its networks: into a running process's netns, or a named one it makes. */
  attach(
    container: ContainerNetworkInfo,
    netns: NetnsTarget,
    options: AttachOptions = {},
  ): Promise<AttachResult> {
    return attachAll(this.ctx, container, netns, this.defaultNetwork(), options);
  }

  detach(containerId: string): Promise<void> {
    return detachAll(this.ctx, containerId);
  }

  async forget(containerId: string): Promise<void> {
    await detachAll(this.ctx, containerId);
    this.ctx.endpoints.deleteContainer(containerId);
  }

  portsOf(containerId: string): PortBinding[] {
    return portsOf(this.ctx, containerId);
  }

  attachOne(container: ContainerNetworkInfo, pid: number, request: EndpointRequest): Promise<AttachResult> {
    return attachOne(this.ctx, container, pid, request);
  }

  detachOne(containerId: string, network: string): Promise<void> {
    return this.disconnect(containerId, network);
  }

  /** Checks for `GET /polis/v1/health`: bridges up, the firewall table present, DNS answering. */
  healthChecks(dns?: EmbeddedDns): HealthCheck[] {
    return networkHealthChecks(this.ctx, dns);
  }

  /**
   * Recovery at daemon start: what belongs to containers that are gone (veths, ports, leases) is
   * undone once; running containers get their DNS names back; the firewall is rebuilt.
   */
  async reconcile(running: Map<string, number>): Promise<void> {
    for (const containerId of this.ctx.endpoints.touchedContainers()) {
      if (running.has(containerId)) continue;
      await detachAll(this.ctx, containerId).catch((err: unknown) =>
        log.warn('could not clean up the network of a stopped container', {
          container: containerId,
          error: err,
        }),
      );
    }
    if (this.ctx.dns) {
      for (const containerId of running.keys()) {
        for (const e of this.endpointsOf(containerId)) {
          if (e.network.isDefault || e.hostVeth === '') continue;
          await this.ctx.dns.register(e.network, e, this.ctx.endpoints.dnsNames(e.networkId, containerId));
        }
      }
    }
    await this.ctx.syncFirewall();
  }
}
