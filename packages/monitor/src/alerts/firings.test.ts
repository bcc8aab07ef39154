import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { nowNanos, type DockerEvent } from '../events/event.js';
import { AlertEngine, type AlertHost } from './engine.js';
import { Firings } from './firings.js';
import { AlertStore } from './store.js';

test('a pair fires once until resolved, resolves once, and may fire again after', () => {
  const f = new Firings();
  const first = f.fire('r', 'c1', 'bad');
  assert.ok(first);
  assert.equal(f.fire('r', 'c1', 'still bad'), undefined, 'a second fire of a firing pair is nothing');
  assert.ok(f.fire('r', 'c2', 'bad too'), 'another subject fires on its own');
  assert.ok(f.fire('other', 'c1', 'bad'), 'another rule fires on its own');
  const ended = f.resolve('r', 'c1', 'good');
  assert.equal(ended?.id, first.id);
  assert.ok(ended?.endsAt);
  assert.equal(f.resolve('r', 'c1', 'good'), undefined, 'a second resolve is nothing');
  assert.equal(f.resolve('r', 'never', 'good'), undefined);
  const again = f.fire('r', 'c1', 'bad again');
  assert.ok(again && again.id !== first.id, 'a new firing has a new id');
  f.dropRule('r');
  assert.deepEqual(
    f.list().map((x) => x.rule),
    ['other'],
  );
});

function event(action: string, id: string, attributes: Record<string, string> = {}): DockerEvent {
  const t = nowNanos();
  return {
    Type: 'container',
    Action: action,
    Actor: { ID: id, Attributes: { name: id, ...attributes } },
    scope: 'local',
    time: Math.floor(t / 1e9),
    timeNano: t,
  };
}

function engineWith(published: DockerEvent[]): { engine: AlertEngine; store: AlertStore } {
  const store = new AlertStore(new Database(':memory:'));
  const host: AlertHost = {
    subscribe: () => () => undefined,
    publish: (e) => published.push(e),
    running: () => [],
    readStats: () => undefined,
    hostMemory: 1,
    dataRoot: '/',
  };
  return { engine: new AlertEngine({ host, store }), store };
}

test('the engine notifies once per firing and once per resolve, from container events', async () => {
  const published: DockerEvent[] = [];
  const { engine, store } = engineWith(published);
  engine.add({ name: 'sick', on: 'unhealthy', event: true });
  engine.add({ name: 'loop', on: 'restarts 2 in 1m', event: true });
  engine.add({ name: 'died', on: 'exit', event: true });
  engine.onEvent(event('health_status: unhealthy', 'a'));
  engine.onEvent(event('health_status: unhealthy', 'a'));
  engine.onEvent(event('health_status: healthy', 'a'));
  engine.onEvent(event('health_status: healthy', 'a'));
  engine.onEvent(event('die', 'b', { exitCode: '0' }));
  engine.onEvent(event('die', 'b', { exitCode: '2' }));
  engine.onEvent(event('restart', 'b'));
  engine.onEvent(event('die', 'b', { exitCode: '2' }));
  engine.onEvent(event('restart', 'b'));
  engine.onEvent(event('restart', 'b'));
  engine.onEvent(event('destroy', 'b'));
  const seen = published.map((e) => `${e.Type} ${e.Action} ${e.Actor.Attributes.rule}`);
  assert.deepEqual(seen, [
    'alert firing sick',
    'alert resolved sick',
    'alert firing died',
    'alert resolved died',
    'alert firing died',
    'alert resolved died',
    'alert firing loop',
    'alert resolved loop',
  ]);
  assert.deepEqual(
    store.history({ rule: 'sick' }).map((h) => h.kind),
    ['resolved', 'fired'],
  );
  assert.equal(engine.active().length, 0);
  await engine.close();
});

test('rules are kept in the database; a config rule cannot be removed through the API', async () => {
  const db = new Database(':memory:');
  const store = new AlertStore(db);
  const host: AlertHost = {
    subscribe: () => () => undefined,
    publish: () => undefined,
    running: () => [],
    readStats: () => undefined,
    hostMemory: 1,
    dataRoot: '/',
  };
  const first = new AlertEngine({ host, store });
  first.add({ name: 'a', on: 'oom', webhook: 'http://127.0.0.1:1/', secret: 's' });
  assert.throws(() => first.add({ name: 'a', on: 'oom', event: true }), /already exists/);
  const second = new AlertEngine({
    host,
    store: new AlertStore(db),
    configRules: [
      { name: 'cfg', on: 'oom', event: true, condition: { kind: 'oom' }, forMs: 0, source: 'config' },
    ],
  });
  assert.deepEqual(
    second.list().map((r) => [r.name, r.source, r.secret]),
    [
      ['cfg', 'config', undefined],
      ['a', 'api', true],
    ],
  );
  assert.throws(() => second.remove('cfg'), /config file/);
  assert.throws(() => second.remove('nope'), /no such alert/);
  second.remove('a');
  assert.deepEqual(new AlertStore(db).rules(), []);
});

test('firings survive a restart: not fired again, resolved once; a container gone meanwhile is resolved at start', async () => {
  const db = new Database(':memory:');
  const published: DockerEvent[] = [];
  const host = (exists: (id: string) => boolean): AlertHost => ({
    subscribe: () => () => undefined,
    publish: (e) => published.push(e),
    running: () => [],
    readStats: () => undefined,
    hostMemory: 1,
    dataRoot: '/',
    exists,
  });
  const first = new AlertEngine({ host: host(() => true), store: new AlertStore(db) });
  first.add({ name: 'died', on: 'exit', event: true });
  first.onEvent(event('die', 'a', { exitCode: '1' }));
  first.onEvent(event('die', 'b', { exitCode: '2' }));
  const before = first.active();
  await first.close();
  assert.equal(before.length, 2);

  // polisd restarts; container b was removed while it was down.
  const second = new AlertEngine({ host: host((id) => id === 'a'), store: new AlertStore(db) });
  assert.deepEqual(
    second.active().map((f) => [f.subject, f.id, f.startsAt]),
    before.map((f) => [f.subject, f.id, f.startsAt]),
    'the same firings, same ids and start times',
  );
  second.start();
  assert.deepEqual(
    second.active().map((f) => f.subject),
    ['a'],
  );
  second.onEvent(event('die', 'a', { exitCode: '1' }));
  second.onEvent(event('start', 'a'));
  const seen = published.map((e) => `${e.Action} ${e.Actor.Attributes.subject}`);
  assert.deepEqual(seen, ['firing a', 'firing b', 'resolved b', 'resolved a']);
  assert.equal(
    published.find((e) => e.Action === 'resolved' && e.Actor.Attributes.subject === 'a')?.Actor.ID,
    before.find((f) => f.subject === 'a')?.id,
    'the resolve carries the alert id of the firing from before the restart',
  );
  await second.close();
  const third = new AlertEngine({ host: host(() => true), store: new AlertStore(db) });
  assert.equal(third.active().length, 0, 'resolved firings are gone from the database');
  third.remove('died');
  await third.close();
});
