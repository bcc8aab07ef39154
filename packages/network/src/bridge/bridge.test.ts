import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bridgeBatch, bridgeName } from './bridge.js';

const spec = { name: 'pl-0123456789ab', gateway: '172.18.0.1', prefixLength: 16 };

test('bridge names are pl- and 12 id characters, inside IFNAMSIZ', () => {
  assert.equal(bridgeName('0123456789abcdef'.repeat(4)), 'pl-0123456789ab');
  assert.ok(bridgeName('f'.repeat(64)).length <= 15);
});

test('the ip batch does only what is missing', () => {
  assert.deepEqual(bridgeBatch(spec, undefined), [
    'link add name pl-0123456789ab address 02:42:ac:12:00:01 type bridge',
    'addr add 172.18.0.1/16 dev pl-0123456789ab',
    'link set pl-0123456789ab up',
  ]);
  assert.deepEqual(bridgeBatch(spec, { ifname: spec.name, flags: ['BROADCAST'], addr_info: [] }), [
    'link set pl-0123456789ab address 02:42:ac:12:00:01',
    'addr add 172.18.0.1/16 dev pl-0123456789ab',
    'link set pl-0123456789ab up',
  ]);
  const ready = {
    ifname: spec.name,
    address: '02:42:ac:12:00:01',
    flags: ['UP'],
    addr_info: [{ local: '172.18.0.1', prefixlen: 16 }],
  };
  assert.deepEqual(bridgeBatch(spec, ready), []);
});
