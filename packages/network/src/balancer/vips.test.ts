import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { createSchema } from '../store/schema.js';
import { Leases } from '../ipam/leases.js';
import { NetworkNames } from '../names.js';
import type { NetworkRecord } from '../types.js';
import { ServiceVips, vipHolder } from './vips.js';

const network: NetworkRecord = {
  id: 'n'.repeat(64),
  name: 'front',
  driver: 'bridge',
  isDefault: false,
  subnet: '10.7.0.0/24',
  gateway: '10.7.0.1',
  internal: false,
  labels: {},
  options: {},
  bridge: 'pl-nnnnnnnnnnnn',
  created: '2026-01-01T00:00:00Z',
};

function setup(): { db: Database.Database; names: NetworkNames; vips: ServiceVips } {
  const db = new Database(':memory:');
  createSchema(db);
  const names = new NetworkNames();
  return { db, names, vips: new ServiceVips(db, names) };
}

test('a VIP is leased from the network (no container gets it) and the service name resolves to it', async () => {
  const { db, names, vips } = setup();
  const leases = new Leases(db);
  leases.acquire(network, 'c1');
  const vip = await vips.allocate('shop/web', network, ['web']);
  assert.equal(vip, '10.7.0.3');
  assert.notEqual(leases.acquire(network, 'c2'), vip);
  assert.deepEqual(names.lookup('10.7.0.1', 'web'), [vip]);
  assert.equal(await vips.allocate('shop/web', network, ['web']), vip, 'the same VIP every call');
  assert.deepEqual(vips.list(), [{ serviceKey: 'shop/web', networkId: network.id, address: vip }]);
  await vips.release('shop/web', network);
  assert.deepEqual(names.lookup('10.7.0.1', 'web'), []);
  assert.deepEqual(vips.list(), []);
  assert.ok(!leases.addressesOf(network.id).includes(vip));
});

test('after recovery released its lease, allocate takes the same address back', async () => {
  const { db, vips } = setup();
  const vip = await vips.allocate('shop/web', network, ['web']);
  new Leases(db).releaseContainer(vipHolder('shop/web'));
  const again = new ServiceVips(db);
  assert.equal(await again.allocate('shop/web', network, ['web']), vip);
});
