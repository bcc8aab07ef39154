import type Database from 'better-sqlite3';
import { PolisError } from '@polis/core';
import { checkStatic, lowestFree, poolOf } from './allocate.js';
import { parseAddress } from './cidr.js';

export interface Lease {
  networkId: string;
  address: string;
  containerId: string;
}

/** IP leases in `network_leases`; they outlive the daemon and are released exactly once. */
export class Leases {
  constructor(private readonly db: Database.Database) {}

  /**
   * Leases `requested` (checked) or the lowest free address of the network's range, in one
   * transaction so two attaches never get the same address.
   */
  acquire(
    network: { id: string; name: string; subnet: string; gateway: string; ipRange?: string },
    containerId: string,
    requested?: string,
  ): string {
    return this.db.transaction(() => {
      const pool = poolOf(network);
      const taken = new Set(this.addressesOf(network.id).map((a) => parseAddress(a)?.value ?? -1n));
      const address = requested ? checkStatic(pool, requested, taken) : lowestFree(pool, taken);
      if (address === undefined) {
        throw new PolisError(
          'network.pool_exhausted',
          `no available IPv4 addresses on network ${network.name}`,
          {
            context: { network: network.id },
          },
        );
      }
      this.db
        .prepare('INSERT INTO network_leases (network_id, address, container_id) VALUES (?, ?, ?)')
        .run(network.id, address, containerId);
      return address;
    })();
  }

  /** Returns whether the lease existed, so a second release is visibly a no-op. */
  release(networkId: string, address: string): boolean {
    return (
      this.db
        .prepare('DELETE FROM network_leases WHERE network_id = ? AND address = ?')
        .run(networkId, address).changes > 0
    );
  }

  /** Releases the container's lease on one network; whether there was one. */
  releaseEndpoint(networkId: string, containerId: string): boolean {
    return (
      this.db
        .prepare('DELETE FROM network_leases WHERE network_id = ? AND container_id = ?')
        .run(networkId, containerId).changes > 0
    );
  }

  /** Releases all of a container's leases and returns them. */
  releaseContainer(containerId: string): Lease[] {
    return this.db.transaction(() => {
      const leases = this.ofContainer(containerId);
      this.db.prepare('DELETE FROM network_leases WHERE container_id = ?').run(containerId);
      return leases;
    })();
  }

  addressesOf(networkId: string): string[] {
    const rows = this.db
      .prepare('SELECT address FROM network_leases WHERE network_id = ?')
      .all(networkId) as {
      address: string;
    }[];
    return rows.map((r) => r.address);
  }

  ofContainer(containerId: string): Lease[] {
    const rows = this.db
      .prepare('SELECT network_id, address, container_id FROM network_leases WHERE container_id = ?')
      .all(containerId) as { network_id: string; address: string; container_id: string }[];
    return rows.map((r) => ({ networkId: r.network_id, address: r.address, containerId: r.container_id }));
  }
}
