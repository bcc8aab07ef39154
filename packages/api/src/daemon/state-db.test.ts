import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStateDb } from './state-db.js';

const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);

test('the state database, its WAL and shared memory are 0600, also when an older daemon left them 0644', () => {
  const dir = mkdtempSync(join(tmpdir(), 'polis-state-db-'));
  const files = ['polis.db', 'polis.db-wal', 'polis.db-shm'].map((n) => join(dir, n));
  try {
    const fresh = openStateDb(dir);
    fresh.exec("CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('secret')");
    for (const f of files) assert.equal(mode(f), '600', f);
    fresh.close();

    // As an older polisd left them: 0644, with a WAL still open beside the database.
    const old = new Database(join(dir, 'polis.db'));
    old.pragma('journal_mode = WAL');
    old.exec("INSERT INTO t VALUES ('more')");
    for (const f of files) chmodSync(f, 0o644);
    const reopened = openStateDb(dir);
    for (const f of files) assert.equal(mode(f), '600', f);
    assert.equal((reopened.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n, 2);
    reopened.close();
    old.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
