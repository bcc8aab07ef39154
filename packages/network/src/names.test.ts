import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NetworkNames } from './names.js';
import type { EndpointRecord, NetworkRecord } from './types.js';

const net = (gateway: string, isDefault = false): NetworkRecord => ({
  id: 'n'.repeat(64),
  name: 'front',
  driver: 'bridge',
  isDefault,
  subnet: '10.1.0.0/24',
  gateway,
  internal: false,
  labels: {},
  options: {},
  bridge: 'pl-x',
  created: '',
});
const ep = (ip: string): EndpointRecord => ({
  networkId: 'n'.repeat(64),
  containerId: 'c'.repeat(64),
  ipAddress: ip,
  prefixLength: 24,
  macAddress: '',
  aliases: [],
  interfaceName: 'eth0',
  hostVeth: 'pv1',
});

test('names answer per network, case-insensitively, and go away with the container', async () => {
  const names = new NetworkNames();
  const listened: string[] = [];
  names.serveWith({
    listen: async (a, clients) => void listened.push(`${a} for ${clients.join(',')}`),
    close: async () => undefined,
  });
  await names.register(net('10.1.0.1'), ep('10.1.0.2'), ['web', 'WWW', 'abcdef123456']);
  assert.deepEqual(names.lookup('10.1.0.1', 'Web.'), ['10.1.0.2']);
  assert.deepEqual(names.lookup('10.1.0.1', 'www'), ['10.1.0.2']);
  assert.deepEqual(names.lookup('10.2.0.1', 'web'), [], 'another network does not see it');
  assert.deepEqual(listened, ['10.1.0.1 for 10.1.0.0/24'], 'answers only its own subnet');
  assert.deepEqual(names.reverse('10.1.0.1', '10.1.0.2').sort(), ['abcdef123456', 'web', 'www']);
  names.unregister(net('10.1.0.1'), ep('10.1.0.2'));
  assert.deepEqual(names.lookup('10.1.0.1', 'web'), []);
  await names.register(net('172.17.0.1', true), ep('172.17.0.2'), ['x']);
  assert.deepEqual(names.lookup('172.17.0.1', 'x'), [], 'the default bridge has no embedded DNS');
});

test('a container on two networks finds the names of both, whichever gateway it asks; others do not', async () => {
  const names = new NetworkNames();
  const front = { ...net('10.1.0.1'), id: 'f'.repeat(64), subnet: '10.1.0.0/24' };
  const back = { ...net('10.2.0.1'), id: 'b'.repeat(64), subnet: '10.2.0.0/24' };
  const web = { ...ep('10.1.0.2'), containerId: 'w'.repeat(64) };
  const client = { ...ep('10.1.0.3'), containerId: 'k'.repeat(64) };
  const clientBack = { ...ep('10.2.0.3'), containerId: 'k'.repeat(64), networkId: back.id };
  const db = { ...ep('10.2.0.4'), containerId: 'd'.repeat(64), networkId: back.id };
  await names.register(front, web, ['web', 'www']);
  await names.register(front, client, ['client']);
  await names.register(back, clientBack, ['client']);
  await names.register(back, db, ['db']);
  // The client asks back's gateway (its resolv.conf may list that one first) for a name on front.
  assert.deepEqual(names.lookup('10.2.0.1', 'www', '10.2.0.3'), ['10.1.0.2']);
  assert.deepEqual(names.lookup('10.1.0.1', 'db', '10.1.0.3'), ['10.2.0.4']);
  // The network asked wins for a name on both.
  assert.deepEqual(names.lookup('10.2.0.1', 'client', '10.2.0.3'), ['10.2.0.3']);
  // db is on back only: front's names stay hidden from it, as is web from back's names.
  assert.deepEqual(names.lookup('10.2.0.1', 'www', '10.2.0.4'), []);
  assert.deepEqual(names.lookup('10.1.0.1', 'db', '10.1.0.2'), []);
  assert.deepEqual(names.lookup('10.2.0.1', 'www'), [], 'an unknown client gets its network only');
  // Once the client leaves front, it no longer sees front's names from back.
  names.unregister(front, client);
  assert.deepEqual(names.lookup('10.2.0.1', 'www', '10.2.0.3'), []);
  await names.networkDown(back);
  assert.deepEqual(names.lookup('10.2.0.1', 'db', '10.2.0.3'), []);
});
