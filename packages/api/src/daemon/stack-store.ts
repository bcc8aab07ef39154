import type Database from 'better-sqlite3';
import type { StackRecord, StackStore } from '@polis/orchestrator';

/** Stacks' desired state, one row per project: the controller's memory across daemon restarts. */
export class SqliteStackStore implements StackStore {
  constructor(private readonly db: Database.Database) {
    db.exec(
      'CREATE TABLE IF NOT EXISTS stacks (name TEXT PRIMARY KEY, record TEXT NOT NULL, updated TEXT NOT NULL)',
    );
  }

  list(): StackRecord[] {
    const rows = this.db.prepare('SELECT record FROM stacks ORDER BY name').all() as Array<{
      record: string;
    }>;
    return rows.map((r) => JSON.parse(r.record) as StackRecord);
  }

  get(name: string): StackRecord | undefined {
    const row = this.db.prepare('SELECT record FROM stacks WHERE name = ?').get(name) as
      { record: string } | undefined;
    return row ? (JSON.parse(row.record) as StackRecord) : undefined;
  }

  put(record: StackRecord): void {
    this.db
      .prepare(
        'INSERT INTO stacks (name, record, updated) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET record = excluded.record, updated = excluded.updated',
      )
      .run(record.name, JSON.stringify(record), record.updatedAt);
  }

  delete(name: string): void {
    this.db.prepare('DELETE FROM stacks WHERE name = ?').run(name);
  }
}
