import type Database from 'better-sqlite3';
import { PolisError } from '@polis/core';
import { unwireEndpoints, wireEndpoints, type WireRequest } from '../endpoint/wire.js';
import { ensureBridges, deleteBridges, type BridgeSpec } from '../bridge/bridge.js';
import { applyFirewall, changePorts, removeFirewall } from '../firewall/apply.js';
import type { FirewallState, PublishedPort } from '../firewall/render.js';
import { Leases } from '../ipam/leases.js';
import { resolveBindings } from '../ports/bindings.js';
import { EndpointRows } from '../store/endpoints.js';
import { NetworkRows } from '../store/networks.js';
import { PortRows } from '../store/ports.js';
import type { ContainerNetworkInfo, EndpointRecord, NetworkRecord, PortBinding } from '../types.js';
import { hostRoutes, type HostRoute } from './host-routes.js';

/** What the manager does to the host; replaced by fakes in unit tests of the code above it. */
export interface HostOps {
  routes(): Promise<HostRoute[]>;
  ensureBridges(specs: readonly BridgeSpec[]): Promise<void>;
  deleteBridges(names: readonly string[]): Promise<void>;
  applyFirewall(table: string, state: FirewallState): Promise<void>;
  changePorts(table: string, op: 'add' | 'delete', ports: readonly PublishedPort[]): Promise<void>;
  removeFirewall(table: string): Promise<void>;
  /** `onNetns`: called once a named netns exists, before its links are made. */
  wireEndpoints(requests: WireRequest[], onNetns?: () => void): Promise<void>;
  /** Deletes the host veths, and the named netns `netns` when given and present. */
  unwireEndpoints(hostVeths: string[], netns?: string): Promise<void>;
  resolveBindings(container: ContainerNetworkInfo, taken: PortBinding[]): Promise<PortBinding[]>;
}

export const realHost: HostOps = {
  routes: hostRoutes,
  ensureBridges,
  deleteBridges,
  applyFirewall,
  changePorts,
  removeFirewall,
  wireEndpoints,
  unwireEndpoints,
  resolveBindings,
};

/**
 * The embedded DNS's view of the networks. `register` gives the names (container name, aliases, short
 * id) one endpoint answers to (the server starts listening on the network's gateway at its first
 * name); `networkDown` ends a user network's names and the server's listener there.
 */
export interface DnsHooks {
  register(network: NetworkRecord, endpoint: EndpointRecord, names: string[]): void | Promise<void>;
  unregister(network: NetworkRecord, endpoint: EndpointRecord): void | Promise<void>;
  networkDown(network: NetworkRecord): void | Promise<void>;
}

/** The state and services the manager's verbs share. */
export class NetworkContext {
  readonly networks: NetworkRows;
  readonly endpoints: EndpointRows;
  readonly leases: Leases;
  readonly ports: PortRows;
  private lock: Promise<unknown> = Promise.resolve();
  private firewall: Promise<unknown> = Promise.resolve();

  constructor(
    readonly db: Database.Database,
    readonly host: HostOps,
    readonly table: string,
    readonly dns: DnsHooks | undefined,
  ) {
    this.networks = new NetworkRows(db);
    this.endpoints = new EndpointRows(db);
    this.leases = new Leases(db);
    this.ports = new PortRows(db);
  }

  /** Runs `fn` alone among exclusive sections: subnet picking and host-port choice must not race. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.lock.then(fn, fn);
    this.lock = next.catch(() => undefined);
    return next;
  }

  /**
   * Rebuilds the firewall from the database. Calls queue, and each renders the state of its own
   * turn, so the last one always reflects the latest state even when callers race.
   */
  syncFirewall(): Promise<void> {
    const next = this.firewall.then(() => this.host.applyFirewall(this.table, this.firewallState()));
    this.firewall = next.catch(() => undefined);
    return next;
  }

  /**
   * Adds or deletes published ports in place, queued with the rebuilds. If that fails (a rebuild
   * already did it, or the table is gone) the table is rebuilt from the database instead.
   */
  updatePorts(op: 'add' | 'delete', ports: readonly PublishedPort[]): Promise<void> {
    const next = this.firewall.then(() =>
      this.host
        .changePorts(this.table, op, ports)
        .catch(() => this.host.applyFirewall(this.table, this.firewallState())),
    );
    this.firewall = next.catch(() => undefined);
    return next;
  }

  firewallState(): FirewallState {
    return {
      networks: this.networks
        .all()
        .map((n) => ({ bridge: n.bridge, subnet: n.subnet, internal: n.internal })),
      ports: this.ports.all(),
    };
  }

  /** The network of an endpoint, which must exist (endpoints are removed before their network). */
  networkOf(endpoint: EndpointRecord): NetworkRecord {
    const network = this.networks.byId(endpoint.networkId);
    if (!network) {
      throw new PolisError(
        'internal',
        `endpoint of container ${endpoint.containerId} names a missing network`,
        {
          context: { network: endpoint.networkId },
        },
      );
    }
    return network;
  }
}
