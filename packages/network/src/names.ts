import type { DnsHooks } from './networks/context.js';
import type { DnsRecordSource } from './dns/server.js';
import type { EndpointRecord, NetworkRecord } from './types.js';

interface Server {
  listen(address: string, clients: readonly string[]): Promise<void>;
  close(address: string): Promise<void>;
}

/**
 * The names the embedded DNS answers, per user network (keyed by its gateway, where the server
 * listens): each container's name, aliases and short id map to its address there. The default
 * `bridge` network has no embedded DNS, as in Docker.
 */
export class NetworkNames implements DnsHooks, DnsRecordSource {
  private readonly byGateway = new Map<string, Map<string, Set<string>>>();
  /** Per gateway, the container at each address: who is asking, to search its other networks too. */
  private readonly containerAt = new Map<string, Map<string, string>>();
  /** The gateways of each container's user networks, in the order it joined them. */
  private readonly gatewaysOf = new Map<string, Set<string>>();
  private server: Server | undefined;

  /** The server that answers (set once it exists: it needs this object as its source). */
  serveWith(server: Server): void {
    this.server = server;
  }

  async register(network: NetworkRecord, endpoint: EndpointRecord, names: string[]): Promise<void> {
    if (network.isDefault || endpoint.ipAddress === '') return;
    let table = this.byGateway.get(network.gateway);
    if (!table) {
      table = new Map();
      this.byGateway.set(network.gateway, table);
    }
    let at = this.containerAt.get(network.gateway);
    if (!at) {
      at = new Map();
      this.containerAt.set(network.gateway, at);
    }
    at.set(endpoint.ipAddress, endpoint.containerId);
    const gateways = this.gatewaysOf.get(endpoint.containerId) ?? new Set<string>();
    gateways.add(network.gateway);
    this.gatewaysOf.set(endpoint.containerId, gateways);
    for (const name of names) {
      const key = normalise(name);
      const ips = table.get(key) ?? new Set<string>();
      ips.add(endpoint.ipAddress);
      table.set(key, ips);
    }
    // Only the network's own containers may ask: the gateway is reachable from every other network too.
    await this.server?.listen(network.gateway, [network.subnet]);
  }

  unregister(network: NetworkRecord, endpoint: EndpointRecord): void {
    const at = this.containerAt.get(network.gateway);
    if (at && endpoint.ipAddress !== '' && at.get(endpoint.ipAddress) === endpoint.containerId) {
      at.delete(endpoint.ipAddress);
    }
    const gateways = this.gatewaysOf.get(endpoint.containerId);
    gateways?.delete(network.gateway);
    if (gateways?.size === 0) this.gatewaysOf.delete(endpoint.containerId);
    const table = this.byGateway.get(network.gateway);
    if (!table || endpoint.ipAddress === '') return;
    for (const [name, ips] of table) {
      ips.delete(endpoint.ipAddress);
      if (ips.size === 0) table.delete(name);
    }
  }

  async networkDown(network: NetworkRecord): Promise<void> {
    this.byGateway.delete(network.gateway);
    this.containerAt.delete(network.gateway);
    for (const [id, gateways] of this.gatewaysOf) {
      gateways.delete(network.gateway);
      if (gateways.size === 0) this.gatewaysOf.delete(id);
    }
    await this.server?.close(network.gateway);
  }

  /**
   * The name on the network asked at first; then, as Docker's resolver does, on the asking container's
   * other user networks (a container on `front` and `back` that asks `back`'s gateway finds `front`'s
   * names too), in the order it joined them.
   */
  lookup(listenAddress: string, name: string, client?: string): string[] {
    const key = normalise(name);
    const own = this.byGateway.get(listenAddress)?.get(key);
    if (own?.size) return [...own];
    const container = client === undefined ? undefined : this.containerAt.get(listenAddress)?.get(client);
    for (const gateway of (container && this.gatewaysOf.get(container)) || []) {
      const ips = gateway === listenAddress ? undefined : this.byGateway.get(gateway)?.get(key);
      if (ips?.size) return [...ips];
    }
    return [];
  }

  reverse(listenAddress: string, ip: string): string[] {
    const table = this.byGateway.get(listenAddress);
    if (!table) return [];
    return [...table].filter(([, ips]) => ips.has(ip)).map(([name]) => name);
  }
}

function normalise(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}
