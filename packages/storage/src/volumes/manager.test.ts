import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { VolumeManager } from './manager.js';
import type { VolumeUser } from './types.js';

async function setup(): Promise<{
  m: VolumeManager;
  root: string;
  users: Map<string, VolumeUser[]>;
  done: () => void;
}> {
  const root = mkdtempSync(join(tmpdir(), 'volumes-'));
  const db = new Database(':memory:');
  const m = new VolumeManager({ db, dataRoot: root });
  await m.init();
  const users = new Map<string, VolumeUser[]>();
  m.attachUsers(() => users);
  return { m, root, users, done: () => rmSync(root, { recursive: true, force: true }) };
}

test('a named volume is a directory under volumes/<name>/_data with its labels', async () => {
  const { m, root, done } = await setup();
  try {
    const { volume, created } = m.create({ name: 'data', labels: { a: 'b' } });
    assert.equal(created, true);
    assert.equal(volume.mountpoint, join(root, 'volumes', 'data', '_data'));
    assert.equal(statSync(join(root, 'volumes')).mode & 0o777, 0o701);
    assert.equal(statSync(volume.mountpoint).mode & 0o777, 0o755);
    assert.deepEqual(m.get('data').labels, { a: 'b' });
    assert.equal(m.create({ name: 'data' }).created, false);
  } finally {
    done();
  }
});

test('names, drivers and options are checked with Docker words', async () => {
  const { m, done } = await setup();
  try {
    assert.throws(() => m.create({ name: 'a' }), /volume name is too short/);
    assert.throws(() => m.create({ name: 'a/b' }), /includes invalid characters for a local volume name/);
    assert.throws(() => m.create({ name: 'xx', driver: 'nfs' }), { code: 'volume.driver_unknown' });
    assert.throws(() => m.get('nope'), { code: 'volume.not_found', message: 'get nope: no such volume' });
  } finally {
    done();
  }
});

test('a volume in use is refused removal, forced or not, and goes once unused', async () => {
  const { m, users, root, done } = await setup();
  try {
    m.create({ name: 'data' });
    users.set('data', [{ id: 'c1', running: false }]);
    await assert.rejects(m.remove('data'), {
      code: 'volume.in_use',
      message: 'remove data: volume is in use - [c1]',
    });
    await assert.rejects(m.remove('data', { force: true }), { code: 'volume.in_use' });
    users.clear();
    await m.remove('data');
    assert.equal(existsSync(join(root, 'volumes', 'data')), false);
    await m.remove('data', { force: true });
    await assert.rejects(m.remove('data'), { code: 'volume.not_found' });
  } finally {
    done();
  }
});

test('list filters: dangling, label, name, driver', async () => {
  const { m, users, done } = await setup();
  try {
    m.create({ name: 'used', labels: { tier: 'db' } });
    m.create({ name: 'free' });
    users.set('used', [{ id: 'c1', running: true }]);
    const names = (f: Record<string, string[]>) => m.list(f).map((v) => v.name);
    assert.deepEqual(names({ dangling: ['true'] }), ['free']);
    assert.deepEqual(names({ dangling: ['false'] }), ['used']);
    assert.deepEqual(names({ label: ['tier=db'] }), ['used']);
    assert.deepEqual(names({ name: ['fr'] }), ['free']);
    assert.deepEqual(names({ driver: ['local'] }), ['used', 'free']);
    assert.throws(() => m.list({ bogus: ['x'] }), { code: 'volume.invalid' });
  } finally {
    done();
  }
});

test('prune: all unused by default (API 1.41), anonymous only when asked, label filters', async () => {
  const { m, users, done } = await setup();
  try {
    m.create({ name: 'keep', labels: { keep: '1' } });
    m.create({ name: 'named' });
    const anon = m.create({}).volume;
    writeFileSync(join(anon.mountpoint, 'f'), 'hello');
    m.create({ name: 'busy' });
    users.set('busy', [{ id: 'c1', running: false }]);
    const first = await m.prune({ anonymousOnly: true });
    assert.deepEqual(first, { deleted: [anon.name], reclaimed: 5 });
    const second = await m.prune({ filters: { 'label!': ['keep'] } });
    assert.deepEqual(second.deleted, ['named']);
    assert.deepEqual(
      m.list().map((v) => v.name),
      ['keep', 'busy'],
    );
  } finally {
    done();
  }
});

test('a volume created again while its old data is being deleted keeps its new directory', async () => {
  const { m, done } = await setup();
  try {
    const old = m.create({ name: 'again' }).volume;
    writeFileSync(join(old.mountpoint, 'old'), 'x');
    const removing = m.remove('again');
    const fresh = m.create({ name: 'again' }).volume;
    writeFileSync(join(fresh.mountpoint, 'new'), 'y');
    await removing;
    assert.deepEqual(readdirSync(fresh.mountpoint), ['new']);
  } finally {
    done();
  }
});

test('init removes a directory a crash left without a record', async () => {
  const { m, root, done } = await setup();
  try {
    mkdirSync(join(root, 'volumes', 'half', '_data'), { recursive: true });
    m.create({ name: 'whole' });
    await m.init();
    assert.equal(existsSync(join(root, 'volumes', 'half')), false);
    assert.equal(existsSync(join(root, 'volumes', 'whole', '_data')), true);
  } finally {
    done();
  }
});

test('events: create, mount and unmount with the container, destroy', async () => {
  const { m, users, done } = await setup();
  try {
    const seen: string[] = [];
    m.onEvent((e) => seen.push(`${e.action} ${e.name} ${JSON.stringify(e.attributes)}`));
    m.create({ name: 'ev' });
    m.create({ name: 'ev' });
    users.set('ev', [{ id: 'c1', running: true }]);
    await m.mount('ev', { container: 'c1', destination: '/d', readonly: true });
    users.set('ev', [{ id: 'c1', running: false }]);
    await m.release('ev', 'c1');
    users.clear();
    await m.remove('ev');
    assert.deepEqual(seen, [
      'create ev {"driver":"local"}',
      'mount ev {"driver":"local","container":"c1","destination":"/d","read/write":"false","propagation":""}',
      'unmount ev {"driver":"local","container":"c1"}',
      'destroy ev {"driver":"local"}',
    ]);
  } finally {
    done();
  }
});

test('boot: a record without its directory is dropped unless a container names it; a cut mkfs is swept', async () => {
  const { m, root, users, done } = await setup();
  try {
    m.create({ name: 'lost' });
    m.create({ name: 'named' });
    m.create({ name: 'cut', driverOptions: { size: '10m' } });
    rmSync(join(root, 'volumes', 'lost'), { recursive: true });
    rmSync(join(root, 'volumes', 'named'), { recursive: true });
    writeFileSync(join(root, 'volumes', 'cut', 'disk.img.partial'), '');
    users.set('named', [{ id: 'c1', running: false }]);
    await m.init();
    assert.equal(existsSync(join(root, 'volumes', 'cut', 'disk.img.partial')), false);
    await m.reconcileMounts();
    assert.equal(m.find('lost'), undefined);
    assert.equal(statSync(m.get('named').mountpoint).isDirectory(), true);
  } finally {
    done();
  }
});
