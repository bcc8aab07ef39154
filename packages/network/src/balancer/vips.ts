import type Database from 'better-sqlite3';
import { Leases } from '../ipam/leases.js';
import { parseCidr } from '../ipam/cidr.js';
import type { DnsHooks } from '../networks/context.js';
import type { EndpointRecord, NetworkRecord } from '../types.js';

/** The lease holder of a service's VIP: not a container id, so no container's release takes it. */
export const vipHolder = (serviceKey: string): string => `vip:${serviceKey}`;

export interface ServiceVip {
  serviceKey: string;
  networkId: string;
  address: string;
}

/**
 * Virtual IPs of services (`endpoint_mode: vip`): one address per service and network, leased from the
 * network's IPAM (so no container gets it) and answered by the embedded DNS under the service's names.
 * The balancer then serves it: `setBackends(key, { hostIp: vip, hostPort, protocol, vipBridge:
 * network.bridge }, replicas)`. Each VIP is also kept in `balancer_vips`, because recovery at daemon start
 * releases leases whose holder is not a running container: `allocate` after a restart takes the same
 * address again (and gives the DNS, which starts empty, its names back).
 */
export class ServiceVips {
  private readonly leases: Leases;

  constructor(
    private readonly db: Database.Database,
    private readonly dns?: Pick<DnsHooks, 'register' | 'unregister'>,
  ) {
    this.leases = new Leases(db);
    db.exec(`CREATE TABLE IF NOT EXISTS balancer_vips (
      service_key TEXT NOT NULL,
      network_id TEXT NOT NULL,
      address TEXT NOT NULL,
      PRIMARY KEY (service_key, network_id)
    )`);
  }

  /** The VIP of `serviceKey` on `network` (the same one every call), with `names` in the DNS. */
  async allocate(serviceKey: string, network: NetworkRecord, names: string[]): Promise<string> {
    const holder = vipHolder(serviceKey);
    const address = this.db.transaction(() => {
      const known = this.find(serviceKey, network.id);
      const leased = this.leases.ofContainer(holder).find((l) => l.networkId === network.id);
      if (leased) return leased.address;
      let got: string;
      try {
        got = this.leases.acquire(network, holder, known?.address);
      } catch (err) {
        // The old address went to someone else while it was unleased: take a new one.
        if (!known) throw err;
        got = this.leases.acquire(network, holder);
      }
      this.db
        .prepare('INSERT OR REPLACE INTO balancer_vips (service_key, network_id, address) VALUES (?, ?, ?)')
        .run(serviceKey, network.id, got);
      return got;
    })();
    await this.dns?.register(network, this.endpoint(serviceKey, network, address, names), names);
    return address;
  }

  /** Gives the VIP back to the IPAM and takes its names out of the DNS. */
  async release(serviceKey: string, network: NetworkRecord): Promise<void> {
    const known = this.find(serviceKey, network.id);
    this.db.transaction(() => {
      this.leases.releaseEndpoint(network.id, vipHolder(serviceKey));
      this.db
        .prepare('DELETE FROM balancer_vips WHERE service_key = ? AND network_id = ?')
        .run(serviceKey, network.id);
    })();
    if (known) await this.dns?.unregister(network, this.endpoint(serviceKey, network, known.address, []));
  }

  list(): ServiceVip[] {
    const rows = this.db
      .prepare('SELECT service_key, network_id, address FROM balancer_vips ORDER BY service_key')
      .all() as { service_key: string; network_id: string; address: string }[];
    return rows.map((r) => ({ serviceKey: r.service_key, networkId: r.network_id, address: r.address }));
  }

  private find(serviceKey: string, networkId: string): ServiceVip | undefined {
    return this.list().find((v) => v.serviceKey === serviceKey && v.networkId === networkId);
  }

  private endpoint(key: string, network: NetworkRecord, ip: string, names: string[]): EndpointRecord {
    return {
      networkId: network.id,
      containerId: vipHolder(key),
      ipAddress: ip,
      prefixLength: parseCidr(network.subnet).prefix,
      macAddress: '',
      aliases: names,
      interfaceName: '',
      hostVeth: '',
    };
  }
}
