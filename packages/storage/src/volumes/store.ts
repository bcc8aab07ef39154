import type Database from 'better-sqlite3';
import { PolisError, isNoSpace, noSpace } from '@polis/core';
import type { VolumeRecord } from './types.js';

interface Row {
  name: string;
  driver: string;
  created: string;
  labels: string;
  options: string;
  anonymous: number;
}

/** Volume records in the daemon's shared database (`storage_volumes`). The mount point is derived. */
export class VolumeStore {
  private readonly insertStmt;
  private readonly deleteStmt;
  private readonly allStmt;
  private readonly byNameStmt;

  constructor(
    db: Database.Database,
    private readonly mountpointOf: (name: string) => string,
  ) {
    db.exec(`CREATE TABLE IF NOT EXISTS storage_volumes (
      name TEXT PRIMARY KEY,
      driver TEXT NOT NULL,
      created TEXT NOT NULL,
      labels TEXT NOT NULL,
      options TEXT NOT NULL,
      anonymous INTEGER NOT NULL
    )`);
    this.insertStmt = db.prepare(
      'INSERT INTO storage_volumes (name, driver, created, labels, options, anonymous) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.deleteStmt = db.prepare('DELETE FROM storage_volumes WHERE name = ?');
    this.allStmt = db.prepare('SELECT * FROM storage_volumes ORDER BY created, rowid');
    this.byNameStmt = db.prepare('SELECT * FROM storage_volumes WHERE name = ?');
  }

  insert(v: VolumeRecord): void {
    try {
      this.insertStmt.run(
        v.name,
        v.driver,
        v.createdAt,
        JSON.stringify(v.labels),
        JSON.stringify(v.options),
        v.anonymous ? 1 : 0,
      );
    } catch (err) {
      if (isNoSpace(err)) throw noSpace(err, { volume: v.name });
      throw new PolisError('store.failed', `saving volume ${v.name}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  delete(name: string): void {
    this.deleteStmt.run(name);
  }

  byName(name: string): VolumeRecord | undefined {
    const row = this.byNameStmt.get(name) as Row | undefined;
    return row && this.toRecord(row);
  }

  all(): VolumeRecord[] {
    return (this.allStmt.all() as Row[]).map((r) => this.toRecord(r));
  }

  private toRecord(row: Row): VolumeRecord {
    return {
      name: row.name,
      driver: row.driver,
      createdAt: row.created,
      mountpoint: this.mountpointOf(row.name),
      labels: JSON.parse(row.labels) as Record<string, string>,
      options: JSON.parse(row.options) as Record<string, string>,
      anonymous: row.anonymous === 1,
    };
  }
}
