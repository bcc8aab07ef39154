import type Database from 'better-sqlite3';
import { PolisError, isNoSpace, noSpace, type ContainerRecord } from '@polis/core';

/**
 * Container records in SQLite. The record is one JSON document; the name has its own UNIQUE column so
 * that two creates of one name race in the database, not in our code.
 */
export class ContainerStore {
  private readonly insertStmt;
  private readonly updateStmt;
  private readonly deleteStmt;
  private readonly allStmt;
  private readonly byIdStmt;
  private readonly byNameStmt;
  private readonly retireStmt;
  private readonly retiredStmt;
  private readonly cleanedStmt;
  private readonly retireTx;
  private readonly cache = new Map<string, ContainerRecord>();
  /**
   * Rows whose DELETE found the disk full (a WAL append needs room too). They are gone for every reader
   * and are deleted before the next write, so a name is free again as soon as the disk has room.
   */
  private readonly unflushed = new Set<string>();

  constructor(db: Database.Database) {
    db.exec(`CREATE TABLE IF NOT EXISTS containers (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      created TEXT NOT NULL,
      record TEXT NOT NULL
    )`);
    // Containers removed whose files, mounts and runtime state are still being let go (see
    // lifecycle/cleanup.ts): gone for readers, kept here until that is done, so that recovery finishes it.
    db.exec(`CREATE TABLE IF NOT EXISTS container_cleanups (
      id TEXT PRIMARY KEY,
      record TEXT NOT NULL
    )`);
    this.retireStmt = db.prepare('INSERT OR REPLACE INTO container_cleanups (id, record) VALUES (?, ?)');
    this.retiredStmt = db.prepare('SELECT record FROM container_cleanups ORDER BY rowid');
    this.cleanedStmt = db.prepare('DELETE FROM container_cleanups WHERE id = ?');
    this.retireTx = db.transaction((record: ContainerRecord) => {
      this.retireStmt.run(record.id, JSON.stringify(record));
      this.deleteStmt.run(record.id);
    });
    this.insertStmt = db.prepare('INSERT INTO containers (id, name, created, record) VALUES (?, ?, ?, ?)');
    this.updateStmt = db.prepare('UPDATE containers SET name = ?, record = ? WHERE id = ?');
    this.deleteStmt = db.prepare('DELETE FROM containers WHERE id = ?');
    this.allStmt = db.prepare('SELECT record FROM containers ORDER BY created DESC, rowid DESC');
    this.byIdStmt = db.prepare('SELECT record FROM containers WHERE id = ?');
    this.byNameStmt = db.prepare('SELECT id FROM containers WHERE name = ?');
    for (const row of this.allStmt.all() as { record: string }[]) {
      const rec = JSON.parse(row.record) as ContainerRecord;
      this.cache.set(rec.id, rec);
    }
  }

  insert(record: ContainerRecord): void {
    this.write(record, () =>
      this.insertStmt.run(record.id, record.name, record.created, JSON.stringify(record)),
    );
  }

  /** Persists a changed record (state, name). */
  update(record: ContainerRecord): void {
    this.write(record, () => this.updateStmt.run(record.name, JSON.stringify(record), record.id));
  }

  /** Runs one write; a taken name is a 409 naming its owner. The cache follows only a successful write. */
  private write(record: ContainerRecord, statement: () => unknown): void {
    this.flushDeletes();
    try {
      statement();
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE')
        throw this.nameConflict(record.name);
      if (isNoSpace(err)) throw noSpace(err, { id: record.id });
      throw new PolisError('store.failed', `saving container ${record.id}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    this.cache.set(record.id, structuredClone(record));
  }

  /**
   * Changes the record in memory only, after `update` failed (a full data root): what users see stays
   * true, and the caller keeps what it needs to save the change later.
   */
  updateUnsaved(record: ContainerRecord): void {
    this.cache.set(record.id, structuredClone(record));
  }

  /**
   * `update`, except that a full data root keeps the change in memory only (returns false) instead
   * of throwing: for steps that must go on (a restart scheduled, a start failure recorded), where the
   * next successful write of the record saves it.
   */
  updateOrKeep(record: ContainerRecord): boolean {
    try {
      this.update(record);
      return true;
    } catch (err) {
      if (!isNoSpace(err)) throw err;
      this.updateUnsaved(record);
      return false;
    }
  }

  /** Deletes a record; on a full disk the row goes at the next write, but readers never see it again. */
  delete(id: string): void {
    try {
      this.deleteStmt.run(id);
    } catch (err) {
      if (!isNoSpace(err)) throw err;
      this.unflushed.add(id);
    }
    this.cache.delete(id);
  }

  /**
   * Removes a record for every reader (its name is free at once) while keeping it, in the same
   * transaction, as a cleanup still to do: what it held on the host is let go after the answer, and
   * recovery finishes a cleanup a crash cut short. Throws (nothing changed) when SQLite refuses.
   */
  retire(record: ContainerRecord): void {
    this.flushDeletes();
    try {
      this.retireTx(record);
    } catch (err) {
      if (isNoSpace(err)) throw noSpace(err, { id: record.id });
      throw new PolisError('store.failed', `retiring container ${record.id}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    this.cache.delete(record.id);
  }

  /** The retired records whose cleanup is not done yet, oldest first. */
  retired(): ContainerRecord[] {
    return (this.retiredStmt.all() as { record: string }[]).map(
      (r) => JSON.parse(r.record) as ContainerRecord,
    );
  }

  /** A retired record's cleanup is done. */
  cleaned(id: string): void {
    this.cleanedStmt.run(id);
  }

  /** Deletes the rows a full disk kept; throws `no_space` while it still cannot. */
  private flushDeletes(): void {
    for (const id of this.unflushed) {
      try {
        this.deleteStmt.run(id);
      } catch (err) {
        if (isNoSpace(err)) throw noSpace(err, { id });
        throw err;
      }
      this.unflushed.delete(id);
    }
  }

  /** A copy of the record, or undefined. */
  byId(id: string): ContainerRecord | undefined {
    const rec = this.cache.get(id);
    return rec ? structuredClone(rec) : undefined;
  }

  idByName(name: string): string | undefined {
    const id = (this.byNameStmt.get(name) as { id: string } | undefined)?.id;
    return id === undefined || this.unflushed.has(id) ? undefined : id;
  }

  /** All records, newest first (copies: a record can hold megabytes of labels or environment). */
  all(): ContainerRecord[] {
    return this.shared().map((r) => structuredClone(r));
  }

  /**
   * The cached records themselves, newest first, for readers that only look (filters, lookups); the
   * caller must not change them and copies only what it keeps.
   */
  shared(): readonly ContainerRecord[] {
    return [...this.cache.values()].sort((a, b) =>
      a.created < b.created ? 1 : a.created > b.created ? -1 : 0,
    );
  }

  /** The status of a record without copying it (periodic work asks this, never for the record). */
  statusOf(id: string): ContainerRecord['state']['status'] | undefined {
    return this.cache.get(id)?.state.status;
  }

  /** The pid of a running or paused container's first process, without copying the record. */
  pidOf(id: string): number | undefined {
    const state = this.cache.get(id)?.state;
    return state && (state.status === 'running' || state.status === 'paused') && state.pid > 0
      ? state.pid
      : undefined;
  }

  ids(): string[] {
    return [...this.cache.keys()];
  }

  /** Re-reads one record from the database (used by tests and recovery). */
  reload(id: string): ContainerRecord | undefined {
    if (this.unflushed.has(id)) return undefined;
    const row = this.byIdStmt.get(id) as { record: string } | undefined;
    return row ? (JSON.parse(row.record) as ContainerRecord) : undefined;
  }

  private nameConflict(name: string): PolisError {
    const owner = this.idByName(name) ?? '';
    return new PolisError(
      'container.name_in_use',
      `Conflict. The container name "/${name}" is already in use by container "${owner}". You have to remove (or rename) that container to be able to reuse that name.`,
      { context: { name, owner } },
    );
  }
}
