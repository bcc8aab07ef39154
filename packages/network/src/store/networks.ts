import type Database from 'better-sqlite3';
import type { NetworkRecord } from '../types.js';

interface NetworkRow {
  id: string;
  name: string;
  driver: string;
  is_default: number;
  subnet: string;
  gateway: string;
  ip_range: string | null;
  internal: number;
  labels: string;
  options: string;
  bridge: string;
  created: string;
}

function toRecord(row: NetworkRow): NetworkRecord {
  return {
    id: row.id,
    name: row.name,
    driver: 'bridge',
    isDefault: row.is_default === 1,
    subnet: row.subnet,
    gateway: row.gateway,
    ...(row.ip_range ? { ipRange: row.ip_range } : {}),
    internal: row.internal === 1,
    labels: JSON.parse(row.labels) as Record<string, string>,
    options: JSON.parse(row.options) as Record<string, string>,
    bridge: row.bridge,
    created: row.created,
  };
}

/** Network records in `network_networks`. Synchronous, as better-sqlite3 is. */
export class NetworkRows {
  constructor(private readonly db: Database.Database) {}

  insert(n: NetworkRecord): void {
    this.db
      .prepare(
        `INSERT INTO network_networks
           (id, name, driver, is_default, subnet, gateway, ip_range, internal, labels, options, bridge, created)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        n.id,
        n.name,
        n.driver,
        n.isDefault ? 1 : 0,
        n.subnet,
        n.gateway,
        n.ipRange ?? null,
        n.internal ? 1 : 0,
        JSON.stringify(n.labels),
        JSON.stringify(n.options),
        n.bridge,
        n.created,
      );
  }

  /** Oldest first, so the default network leads. */
  all(): NetworkRecord[] {
    const rows = this.db
      .prepare('SELECT * FROM network_networks ORDER BY created, rowid')
      .all() as NetworkRow[];
    return rows.map(toRecord);
  }

  byId(id: string): NetworkRecord | undefined {
    const row = this.db.prepare('SELECT * FROM network_networks WHERE id = ?').get(id) as
      NetworkRow | undefined;
    return row && toRecord(row);
  }

  byName(name: string): NetworkRecord | undefined {
    const row = this.db.prepare('SELECT * FROM network_networks WHERE name = ?').get(name) as
      NetworkRow | undefined;
    return row && toRecord(row);
  }

  /** Networks whose id starts with `prefix` (hex only, so no LIKE escaping is needed). */
  byIdPrefix(prefix: string): NetworkRecord[] {
    if (!/^[0-9a-f]+$/.test(prefix)) return [];
    const rows = this.db
      .prepare("SELECT * FROM network_networks WHERE id LIKE ? || '%'")
      .all(prefix) as NetworkRow[];
    return rows.map(toRecord);
  }

  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM network_networks WHERE id = ?').run(id).changes > 0;
  }
}
