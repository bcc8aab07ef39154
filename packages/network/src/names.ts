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
    const table = this.byGateway.get(network.gateway);
    if (!table || endpoint.ipAddress === '') return;
    for (const [name, ips] of table) {
      ips.delete(endpoint.ipAddress);
      if (ips.size === 0) table.delete(name);
    }
  }

  async networkDown(network: NetworkRecord): Promise<void> {
    this.byGateway.delete(network.gateway);
    await this.server?.close(network.gateway);
  }

  lookup(listenAddress: string, name: string): string[] {
    return [...(this.byGateway.get(listenAddress)?.get(normalise(name)) ?? [])];
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
