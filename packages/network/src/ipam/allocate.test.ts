import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { isPolisError } from '@polis/core';
import { checkStatic, lowestFree, poolOf } from './allocate.js';
import { parseAddress, parseCidr } from './cidr.js';
import { Leases } from './leases.js';
import { parsePool, pickSubnet, poolSubnets } from './pools.js';
import { createSchema } from '../store/schema.js';

const v = (a: string): bigint => parseAddress(a)!.value;

test('the lowest free address skips the network address, the gateway and taken ones', () => {
  const pool = poolOf({ subnet: '172.18.0.0/16', gateway: '172.18.0.1' });
  assert.equal(lowestFree(pool, new Set()), '172.18.0.2');
  assert.equal(lowestFree(pool, new Set([v('172.18.0.2'), v('172.18.0.3')])), '172.18.0.4');
  const oddGateway = poolOf({ subnet: '10.9.0.0/24', gateway: '10.9.0.2' });
  assert.equal(lowestFree(oddGateway, new Set([v('10.9.0.1')])), '10.9.0.3');
});

test('an ip-range limits allocation; a full range gives undefined; the broadcast is never given', () => {
  const pool = poolOf({ subnet: '10.1.0.0/24', gateway: '10.1.0.1', ipRange: '10.1.0.128/25' });
  assert.equal(lowestFree(pool, new Set()), '10.1.0.128');
  const tiny = poolOf({ subnet: '10.2.0.0/30', gateway: '10.2.0.1' });
  assert.equal(lowestFree(tiny, new Set()), '10.2.0.2');
  assert.equal(lowestFree(tiny, new Set([v('10.2.0.2')])), undefined);
});

test('static addresses: inside the subnet, not reserved, not taken', () => {
  const pool = poolOf({ subnet: '10.1.0.0/24', gateway: '10.1.0.1', ipRange: '10.1.0.128/25' });
  assert.equal(checkStatic(pool, '10.1.0.5', new Set()), '10.1.0.5');
  assert.throws(
    () => checkStatic(pool, '10.2.0.5', new Set()),
    (e) => isPolisError(e, 'network.invalid'),
  );
  assert.throws(
    () => checkStatic(pool, 'nonsense', new Set()),
    (e) => isPolisError(e, 'network.invalid'),
  );
  for (const reserved of ['10.1.0.0', '10.1.0.1', '10.1.0.255']) {
    assert.throws(
      () => checkStatic(pool, reserved, new Set()),
      (e) => isPolisError(e, 'network.address_in_use'),
    );
  }
  assert.throws(
    () => checkStatic(pool, '10.1.0.9', new Set([v('10.1.0.9')])),
    (e) => isPolisError(e, 'network.address_in_use'),
  );
});

test('default pools: 172.17-31/16 then 192.168.x/20, skipping used space', () => {
  assert.equal(pickSubnet([]), '172.17.0.0/16');
  assert.equal(pickSubnet([parseCidr('172.17.0.0/16'), parseCidr('172.18.5.0/24')]), '172.19.0.0/16');
  assert.equal(pickSubnet([parseCidr('172.16.0.0/12')]), '192.168.0.0/20');
  assert.equal(pickSubnet([parseCidr('172.16.0.0/12'), parseCidr('192.168.0.0/16')]), undefined);
  assert.equal(pickSubnet([], parseCidr('172.17.0.0/16')), '172.18.0.0/16');
  assert.equal([...poolSubnets()].length, 15 + 16, "Docker's 31 default pools");
});

test('--default-address-pool: base cut into /size subnets, in the order given; bad pools refused', () => {
  const pools = [parsePool('base=10.20.0.0/16,size=24'), parsePool('size=28, base=10.30.0.0/24')];
  assert.equal(pickSubnet([], undefined, pools), '10.20.0.0/24');
  assert.equal(pickSubnet([parseCidr('10.20.0.0/23')], undefined, pools), '10.20.2.0/24');
  assert.equal(pickSubnet([parseCidr('10.20.0.0/16')], undefined, pools), '10.30.0.0/28');
  assert.equal(pickSubnet([parseCidr('10.0.0.0/8')], undefined, pools), undefined);
  assert.equal([...poolSubnets(pools)].length, 256 + 16);
  assert.throws(() => parsePool('base=10.20.0.0/16'), /use base=CIDR,size=N/);
  assert.throws(() => parsePool('base=10.20.0.0/16,size=12'), /size 12 must be between \/16 and \/30/);
  assert.throws(() => parsePool('base=10.20.0.1/16,size=24'), /should be 10.20.0.0\/16/);
  assert.throws(() => parsePool('base=fd00::/64,size=80'), /only IPv4/);
});

test('leases persist, are unique, and are released exactly once', () => {
  const db = new Database(':memory:');
  createSchema(db);
  const leases = new Leases(db);
  const net = { id: 'n1', name: 'n1', subnet: '10.3.0.0/29', gateway: '10.3.0.1' };
  assert.equal(leases.acquire(net, 'c1'), '10.3.0.2');
  assert.equal(leases.acquire(net, 'c2'), '10.3.0.3');
  assert.equal(leases.acquire(net, 'c3', '10.3.0.6'), '10.3.0.6');
  assert.throws(
    () => leases.acquire(net, 'c4', '10.3.0.6'),
    (e) => isPolisError(e, 'network.address_in_use'),
  );
  assert.equal(leases.acquire(net, 'c4'), '10.3.0.4');
  assert.equal(leases.acquire(net, 'c5'), '10.3.0.5');
  assert.throws(
    () => leases.acquire(net, 'c6'),
    (e) => isPolisError(e, 'network.pool_exhausted'),
  );
  assert.equal(leases.release('n1', '10.3.0.3'), true);
  assert.equal(leases.release('n1', '10.3.0.3'), false);
  assert.equal(leases.acquire(net, 'c6'), '10.3.0.3', 'a released address is given again');
  assert.deepEqual(leases.releaseContainer('c1'), [
    { networkId: 'n1', address: '10.3.0.2', containerId: 'c1' },
  ]);
  assert.deepEqual(leases.releaseContainer('c1'), []);
  assert.equal(leases.releaseEndpoint('n1', 'c6'), true);
  assert.equal(leases.releaseEndpoint('n1', 'c6'), false);
  assert.deepEqual(leases.addressesOf('n1').sort(), ['10.3.0.4', '10.3.0.5', '10.3.0.6']);
});
