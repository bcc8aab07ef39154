import type Database from 'better-sqlite3';
import type { EndpointRecord } from '../types.js';

interface EndpointRow {
  network_id: string;
  container_id: string;
  aliases: string;
  static_ip: string | null;
  ip_address: string;
  prefix_length: number;
  mac_address: string;
  interface_name: string;
  host_veth: string;
}

function toRecord(row: EndpointRow): EndpointRecord {
  return {
    networkId: row.network_id,
    containerId: row.container_id,
    ipAddress: row.ip_address,
    prefixLength: row.prefix_length,
    macAddress: row.mac_address,
    aliases: JSON.parse(row.aliases) as string[],
    interfaceName: row.interface_name,
    hostVeth: row.host_veth,
    ...(row.static_ip ? { staticIp: row.static_ip } : {}),
  };
}

/** What wiring gave an endpoint. */
export interface Wiring {
  ipAddress: string;
  prefixLength: number;
  macAddress: string;
  interfaceName: string;
  hostVeth: string;
}

/** Endpoint intents and their wiring in `network_endpoints`; a container's rows keep connect order. */
export class EndpointRows {
  constructor(private readonly db: Database.Database) {}

  insert(networkId: string, containerId: string, aliases: string[], staticIp?: string): void {
    this.db
      .prepare(
        `INSERT INTO network_endpoints (network_id, container_id, seq, aliases, static_ip)
         VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM network_endpoints), ?, ?)`,
      )
      .run(networkId, containerId, JSON.stringify(aliases), staticIp ?? null);
  }

  get(networkId: string, containerId: string): EndpointRecord | undefined {
    const row = this.db
      .prepare('SELECT * FROM network_endpoints WHERE network_id = ? AND container_id = ?')
      .get(networkId, containerId) as EndpointRow | undefined;
    return row && toRecord(row);
  }

  ofContainer(containerId: string): EndpointRecord[] {
    const rows = this.db
      .prepare('SELECT * FROM network_endpoints WHERE container_id = ? ORDER BY seq')
      .all(containerId) as EndpointRow[];
    return rows.map(toRecord);
  }

  ofNetwork(networkId: string): EndpointRecord[] {
    const rows = this.db
      .prepare('SELECT * FROM network_endpoints WHERE network_id = ? ORDER BY seq')
      .all(networkId) as EndpointRow[];
    return rows.map(toRecord);
  }

  /**
   * Containers with anything on the host or in the leases: wired endpoints, leases, published
   * ports. Recovery checks each of them against the running containers.
   */
  touchedContainers(): string[] {
    const rows = this.db
      .prepare(
        `SELECT container_id FROM network_endpoints WHERE host_veth != ''
         UNION SELECT container_id FROM network_leases
         UNION SELECT container_id FROM network_ports`,
      )
      .all() as { container_id: string }[];
    return rows.map((r) => r.container_id);
  }

  setDnsNames(networkId: string, containerId: string, names: string[]): void {
    this.db
      .prepare('UPDATE network_endpoints SET dns_names = ? WHERE network_id = ? AND container_id = ?')
      .run(JSON.stringify(names), networkId, containerId);
  }

  dnsNames(networkId: string, containerId: string): string[] {
    const row = this.db
      .prepare('SELECT dns_names FROM network_endpoints WHERE network_id = ? AND container_id = ?')
      .get(networkId, containerId) as { dns_names: string } | undefined;
    return row ? (JSON.parse(row.dns_names) as string[]) : [];
  }

  setWiring(networkId: string, containerId: string, w: Wiring): void {
    this.db
      .prepare(
        `UPDATE network_endpoints SET ip_address = ?, prefix_length = ?, mac_address = ?, interface_name = ?,
           host_veth = ? WHERE network_id = ? AND container_id = ?`,
      )
      .run(w.ipAddress, w.prefixLength, w.macAddress, w.interfaceName, w.hostVeth, networkId, containerId);
  }

  clearWiring(networkId: string, containerId: string): void {
    this.setWiring(networkId, containerId, {
      ipAddress: '',
      prefixLength: 0,
      macAddress: '',
      interfaceName: '',
      hostVeth: '',
    });
  }

  delete(networkId: string, containerId: string): boolean {
    return (
      this.db
        .prepare('DELETE FROM network_endpoints WHERE network_id = ? AND container_id = ?')
        .run(networkId, containerId).changes > 0
    );
  }

  deleteContainer(containerId: string): number {
    return this.db.prepare('DELETE FROM network_endpoints WHERE container_id = ?').run(containerId).changes;
  }
}
