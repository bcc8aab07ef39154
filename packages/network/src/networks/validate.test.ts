import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPolisError, type ErrorCode } from '@polis/core';
import { parseCidr } from '../ipam/cidr.js';
import type { NetworkRecord } from '../types.js';
import { parseRoutes } from './host-routes.js';
import { validateCreate, type AddressSpace } from './validate.js';

function net(name: string, subnet: string, bridge = `pl-${name}`): NetworkRecord {
  return {
    id: name.padEnd(64, '0'),
    name,
    driver: 'bridge',
    isDefault: name === 'bridge',
    subnet,
    gateway: '',
    internal: false,
    labels: {},
    options: {},
    bridge,
    created: '',
  };
}

const space: AddressSpace = {
  networks: [net('bridge', '172.17.0.0/16', 'polis0'), net('front', '172.18.0.0/16')],
  routes: [
    { dst: parseCidr('172.19.0.0/16'), dev: 'eth1' },
    { dst: parseCidr('172.18.0.0/16'), dev: 'pl-front' },
  ],
};

const fails = (code: ErrorCode, pattern?: RegExp) => (e: unknown) =>
  isPolisError(e, code) && (pattern === undefined || pattern.test(e.message));

test('defaults: bridge driver, a free pool subnet past networks and host routes, first address as gateway', () => {
  const spec = validateCreate({ name: 'back' }, space);
  assert.equal(spec.subnet, '172.20.0.0/16');
  assert.equal(spec.gateway, '172.20.0.1');
  assert.equal(spec.internal, false);
  assert.equal(spec.ipRange, undefined);
});

test('explicit subnet, gateway, ip-range, internal, labels and options are kept', () => {
  const spec = validateCreate(
    {
      name: 'db',
      subnet: '10.5.0.0/24',
      gateway: '10.5.0.254',
      ipRange: '10.5.0.128/25',
      internal: true,
      labels: { a: 'b' },
      options: { o: 'p' },
    },
    space,
  );
  assert.deepEqual(spec, {
    name: 'db',
    subnet: '10.5.0.0/24',
    gateway: '10.5.0.254',
    ipRange: '10.5.0.128/25',
    internal: true,
    labels: { a: 'b' },
    options: { o: 'p' },
  });
});

test("Docker's refusals", () => {
  assert.throws(
    () => validateCreate({ name: 'front' }, space),
    fails('network.exists', /front already exists/),
  );
  assert.throws(() => validateCreate({ name: 'bridge' }, space), fails('network.exists'));
  assert.throws(() => validateCreate({ name: 'host' }, space), fails('network.predefined'));
  assert.throws(() => validateCreate({ name: '-x' }, space), fails('network.invalid'));
  assert.throws(
    () => validateCreate({ name: 'o', driver: 'overlay' }, space),
    fails('network.invalid', /overlay/),
  );
  assert.throws(
    () => validateCreate({ name: 'o', subnet: '172.18.1.0/24' }, space),
    fails('network.subnet_overlap', /network front \(172\.18\.0\.0\/16\)/),
  );
  assert.throws(
    () => validateCreate({ name: 'o', subnet: '172.16.0.0/12' }, space),
    fails('network.subnet_overlap', /bridge/),
  );
  assert.throws(
    () => validateCreate({ name: 'o', subnet: '172.19.3.0/24' }, space),
    fails('network.subnet_overlap', /host route 172\.19\.0\.0\/16 on eth1/),
  );
  assert.throws(() => validateCreate({ name: 'o', gateway: '10.0.0.1' }, space), fails('network.invalid'));
  for (const gateway of ['10.6.1.1', '10.6.0.0', '10.6.0.255', 'x']) {
    assert.throws(
      () => validateCreate({ name: 'o', subnet: '10.6.0.0/24', gateway }, space),
      fails('network.invalid'),
      gateway,
    );
  }
  assert.throws(
    () => validateCreate({ name: 'o', subnet: '10.6.0.0/24', ipRange: '10.6.0.0/23' }, space),
    fails('network.invalid', /ip-range/),
  );
  assert.throws(() => validateCreate({ name: 'o', subnet: '10.6.0.1/24' }, space), fails('network.invalid'));
  assert.throws(
    () => validateCreate({ name: 'o', subnet: 'fd00::/64' }, space),
    fails('network.invalid', /IPv6/),
  );
});

test('ip -j route output: default routes skipped, single hosts become /32 and /128', () => {
  const v4 =
    '[{"dst":"default","gateway":"192.0.2.1","dev":"eth0"},{"dst":"192.0.2.0/24","dev":"eth0"},{"dst":"10.9.9.9","dev":"tun0"}]';
  const routes = parseRoutes(v4);
  assert.deepEqual(
    routes.map((r) => [r.dst.prefix, r.dev]),
    [
      [24, 'eth0'],
      [32, 'tun0'],
    ],
  );
  assert.equal(parseRoutes('[{"dst":"fd00::/64","dev":"eth0"}]')[0]?.dst.family, 6);
  assert.deepEqual(parseRoutes(''), []);
});
