import type Database from 'better-sqlite3';

/** The network package's tables in the daemon's shared database, all prefixed `network_`. */
export function createSchema(db: Database.Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS network_networks (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      driver TEXT NOT NULL,
      is_default INTEGER NOT NULL,
      subnet TEXT NOT NULL,
      gateway TEXT NOT NULL,
      ip_range TEXT,
      internal INTEGER NOT NULL,
      labels TEXT NOT NULL,
      options TEXT NOT NULL,
      bridge TEXT NOT NULL UNIQUE,
      created TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS network_endpoints (
      network_id TEXT NOT NULL,
      container_id TEXT NOT NULL,
      seq INTEGER NOT NULL,
      aliases TEXT NOT NULL,
      static_ip TEXT,
      ip_address TEXT NOT NULL DEFAULT '',
      prefix_length INTEGER NOT NULL DEFAULT 0,
      mac_address TEXT NOT NULL DEFAULT '',
      interface_name TEXT NOT NULL DEFAULT '',
      host_veth TEXT NOT NULL DEFAULT '',
      -- The names given to the embedded DNS at attach, to give them again after a daemon restart.
      dns_names TEXT NOT NULL DEFAULT '[]',
      PRIMARY KEY (network_id, container_id)
    );
    CREATE INDEX IF NOT EXISTS network_endpoints_container ON network_endpoints(container_id);
    CREATE TABLE IF NOT EXISTS network_leases (
      network_id TEXT NOT NULL,
      address TEXT NOT NULL,
      container_id TEXT NOT NULL,
      PRIMARY KEY (network_id, address)
    );
    CREATE INDEX IF NOT EXISTS network_leases_container ON network_leases(container_id);
    CREATE TABLE IF NOT EXISTS network_ports (
      container_id TEXT NOT NULL,
      container_ip TEXT NOT NULL,
      protocol TEXT NOT NULL,
      container_port INTEGER NOT NULL,
      host_ip TEXT NOT NULL,
      host_port INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS network_ports_container ON network_ports(container_id);
  `);
}
