import type Database from 'better-sqlite3';
import type { PortBinding } from '../types.js';

/** A published port and the container address it is forwarded to. */
export interface PublishedPort extends PortBinding {
  containerId: string;
  containerIp: string;
}

interface PortRow {
  container_id: string;
  container_ip: string;
  protocol: 'tcp' | 'udp';
  container_port: number;
  host_ip: string;
  host_port: number;
}

const toPort = (r: PortRow): PublishedPort => ({
  containerId: r.container_id,
  containerIp: r.container_ip,
  protocol: r.protocol,
  containerPort: r.container_port,
  hostIp: r.host_ip,
  hostPort: r.host_port,
});

/** Published ports in `network_ports`, one row per binding. */
export class PortRows {
  constructor(private readonly db: Database.Database) {}

  insert(containerId: string, containerIp: string, bindings: PortBinding[]): void {
    const stmt = this.db.prepare(
      `INSERT INTO network_ports (container_id, container_ip, protocol, container_port, host_ip, host_port)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    for (const b of bindings)
      stmt.run(containerId, containerIp, b.protocol, b.containerPort, b.hostIp, b.hostPort);
  }

  all(): PublishedPort[] {
    return (this.db.prepare('SELECT * FROM network_ports ORDER BY rowid').all() as PortRow[]).map(toPort);
  }

  ofContainer(containerId: string): PublishedPort[] {
    const rows = this.db
      .prepare('SELECT * FROM network_ports WHERE container_id = ? ORDER BY rowid')
      .all(containerId) as PortRow[];
    return rows.map(toPort);
  }

  /** Removes the container's ports that forward to `containerIp` (one endpoint going away). */
  deleteFor(containerId: string, containerIp: string): number {
    return this.db
      .prepare('DELETE FROM network_ports WHERE container_id = ? AND container_ip = ?')
      .run(containerId, containerIp).changes;
  }

  deleteContainer(containerId: string): number {
    return this.db.prepare('DELETE FROM network_ports WHERE container_id = ?').run(containerId).changes;
  }
}
