import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { createdState, emptySpec, generateId, type ContainerRecord } from '@polis/core';
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
