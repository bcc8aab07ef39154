import { chmodSync, closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { errnoCode } from '@polis/core';

export const STATE_DB = 'polis.db';

/** The database and the files SQLite keeps beside it; they hold every container's Env. */
const STATE_FILES = [STATE_DB, `${STATE_DB}-wal`, `${STATE_DB}-shm`, `${STATE_DB}-journal`];

/**
 * Opens the state database readable by root alone. The file is made 0600 before SQLite opens it
 * (SQLite gives -wal and -shm the main file's mode), and files an older polisd left 0644 are fixed.
 */
export function openStateDb(dataRoot: string): Database.Database {
  const path = join(dataRoot, STATE_DB);
  closeSync(openSync(path, 'a', 0o600));
  for (const name of STATE_FILES) {
    try {
      chmodSync(join(dataRoot, name), 0o600);
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err;
    }
  }
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  return db;
}
