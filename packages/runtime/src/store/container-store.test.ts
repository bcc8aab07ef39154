import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import {
  createdState,
  emptySpec,
  generateId,
  httpStatus,
  type ContainerRecord,
  type PolisError,
} from '@polis/core';
import { ContainerStore } from './container-store.js';
import { resolveContainer } from './resolve.js';

function record(name: string, id = generateId()): ContainerRecord {
  return {
    id,
    name,
    created: new Date().toISOString(),
    imageId: 'sha256:x',
    imageRef: 'busybox',
    spec: emptySpec('busybox'),
    process: { path: 'sh', args: [], env: [], workingDir: '/', user: '' },
    hostname: id.slice(0, 12),
    runtime: 'crun',
    state: createdState(),
    restartCount: 0,
    startCount: 0,
    paths: {
      dir: '',
      bundle: '',
      rootfs: '',
      logPath: '',
      hostsPath: '',
      hostnamePath: '',
      resolvConfPath: '',
    },
  };
}

test('names are unique in the database; the loser gets a 409 naming the owner', () => {
  const store = new ContainerStore(new Database(':memory:'));
  const a = record('web');
  store.insert(a);
  assert.throws(
    () => store.insert(record('web')),
    (err: { code: string; message: string }) => {
      assert.equal(err.code, 'container.name_in_use');
      assert.match(err.message, new RegExp(a.id));
      return true;
    },
  );
  assert.equal(store.all().length, 1);
});

test('lookup by full id, name, /name and unique prefix; ambiguous prefix and unknown are errors', () => {
  const store = new ContainerStore(new Database(':memory:'));
  const a = record('one', 'abc1' + '0'.repeat(60));
  const b = record('two', 'abc2' + '0'.repeat(60));
  store.insert(a);
  store.insert(b);
  assert.equal(resolveContainer(store, a.id).name, 'one');
  assert.equal(resolveContainer(store, 'two').id, b.id);
  assert.equal(resolveContainer(store, '/two').id, b.id);
  assert.equal(resolveContainer(store, 'abc1').id, a.id);
  assert.throws(() => resolveContainer(store, 'abc'), { code: 'container.ambiguous' });
  assert.throws(() => resolveContainer(store, 'nope'), { code: 'container.not_found' });
});

test('records survive reopening the database', () => {
  const db = new Database(':memory:');
  const store = new ContainerStore(db);
  const a = record('keep');
  store.insert(a);
  a.state.status = 'exited';
  a.state.exitCode = 3;
  store.update(a);
  const again = new ContainerStore(db);
  assert.equal(again.byId(a.id)?.state.exitCode, 3);
  again.delete(a.id);
  assert.equal(new ContainerStore(db).byId(a.id), undefined);
});

/** A database that cannot grow past what it holds now: SQLite answers SQLITE_FULL, as on a full disk. */
function fill(db: Database.Database): void {
  const pages = db.pragma('page_count', { simple: true }) as number;
  db.pragma(`max_page_count = ${pages}`);
}

test('a full database is no_space (507), and the record is not half kept', () => {
  const db = new Database(':memory:');
  const store = new ContainerStore(db);
  store.insert(record('before'));
  fill(db);
  const big = record('big');
  big.spec.basic.labels = { blob: 'x'.repeat(64 * 1024) };
  assert.throws(
    () => store.insert(big),
    (err: PolisError) =>
      err.code === 'no_space' &&
      err.kind === 'insufficient_storage' &&
      httpStatus[err.kind] === 507 &&
      err.message === 'no space left on the data root',
  );
  assert.deepEqual(
    store.all().map((r) => r.name),
    ['before'],
  );
  assert.equal(store.idByName('big'), undefined);
});

test('a delete the full disk refused is gone for readers, frees the name, and lands at the next write', () => {
  const db = new Database(':memory:');
  let full = false;
  const prepare = db.prepare.bind(db);
  // SQLite's own SQLITE_FULL cannot be forced on a DELETE in memory; the statement throws it instead.
  db.prepare = ((sql: string) => {
    const stmt = prepare(sql);
    if (!sql.startsWith('DELETE')) return stmt;
    const run = stmt.run.bind(stmt);
    stmt.run = ((...args: unknown[]) => {
      if (full) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      return run(...args);
    }) as typeof stmt.run;
    return stmt;
  }) as typeof db.prepare;
  const store = new ContainerStore(db);
  const a = record('web');
  store.insert(a);
  full = true;
  store.delete(a.id);
  assert.equal(store.byId(a.id), undefined);
  assert.equal(store.idByName('web'), undefined);
  assert.throws(() => store.insert(record('web')), { code: 'no_space' });
  full = false;
  const again = record('web');
  store.insert(again);
  assert.equal(store.idByName('web'), again.id);
  assert.deepEqual(
    new ContainerStore(db).all().map((r) => r.id),
    [again.id],
  );
});

test('updateOrKeep on a full database keeps the change for readers and saves it at the next write', () => {
  const db = new Database(':memory:');
  const store = new ContainerStore(db);
  const a = record('web');
  store.insert(a);
  fill(db);
  a.state.status = 'restarting';
  a.spec.basic.labels = { blob: 'x'.repeat(64 * 1024) };
  assert.equal(store.updateOrKeep(a), false);
  assert.equal(store.byId(a.id)?.state.status, 'restarting');
  assert.equal(new ContainerStore(db).byId(a.id)?.state.status, 'created', 'not on disk yet');
  db.pragma('max_page_count = 1073741823');
  assert.equal(store.updateOrKeep(a), true);
  assert.equal(new ContainerStore(db).byId(a.id)?.state.status, 'restarting');
});
