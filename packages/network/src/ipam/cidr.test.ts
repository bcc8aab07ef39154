import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPolisError } from '@polis/core';
import {
  containsCidr,
  formatAddress,
  formatCidr,
  lastOf,
  overlaps,
  parseAddress,
  parseCidr,
  sizeOf,
} from './cidr.js';

test('IPv4 addresses parse and format back; malformed ones do not parse', () => {
  assert.deepEqual(parseAddress('172.18.0.2'), { family: 4, value: 0xac120002n });
  assert.equal(formatAddress(0xac120002n, 4), '172.18.0.2');
  for (const bad of ['1.2.3', '1.2.3.256', '01.2.3.4', '1.2.3.4.5', 'a.b.c.d', '']) {
    assert.equal(parseAddress(bad), undefined, bad);
  }
});

test('IPv6 addresses parse (with ::, embedded IPv4) and format compressed (RFC 5952)', () => {
  assert.equal(parseAddress('::1')?.value, 1n);
  assert.equal(parseAddress('fd00::1')?.value, (0xfd00n << 112n) | 1n);
  assert.equal(formatAddress(parseAddress('2001:db8:0:0:1:0:0:1')!.value, 6), '2001:db8::1:0:0:1');
  assert.equal(formatAddress(parseAddress('::ffff:10.0.0.1')!.value, 6), '::ffff:a00:1');
  assert.equal(formatAddress(0n, 6), '::');
  assert.equal(formatAddress(parseAddress('1:2:3:4:5:6:7:8')!.value, 6), '1:2:3:4:5:6:7:8');
  for (const bad of ['1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', ':::', '1:2:3:4:5:6:7']) {
    assert.equal(parseAddress(bad), undefined, bad);
  }
});

test('CIDRs parse, refuse host bits (naming the right subnet) and do math', () => {
  const c = parseCidr('172.18.0.0/16');
  assert.equal(formatCidr(c), '172.18.0.0/16');
  assert.equal(sizeOf(c), 65536n);
  assert.equal(formatAddress(lastOf(c), 4), '172.18.255.255');
  assert.throws(
    () => parseCidr('172.18.0.1/16'),
    (e) => isPolisError(e, 'network.invalid') && /should be 172\.18\.0\.0\/16/.test(e.message),
  );
  for (const bad of ['172.18.0.0', '172.18.0.0/33', '172.18.0.0/x', 'x/8', '1.2.3.4/8/9']) {
    assert.throws(
      () => parseCidr(bad),
      (e) => isPolisError(e, 'network.invalid'),
      bad,
    );
  }
  assert.equal(formatCidr(parseCidr('fd00:1::/64')), 'fd00:1::/64');
  assert.equal(sizeOf(parseCidr('fd00::/64')), 1n << 64n);
});

test('overlap and containment, per family', () => {
  const a = parseCidr('10.0.0.0/8');
  assert.ok(overlaps(a, parseCidr('10.20.0.0/16')));
  assert.ok(overlaps(parseCidr('10.20.0.0/16'), a));
  assert.ok(!overlaps(parseCidr('10.0.0.0/16'), parseCidr('10.1.0.0/16')));
  assert.ok(overlaps(parseCidr('192.168.0.0/20'), parseCidr('192.168.15.0/24')));
  assert.ok(!overlaps(parseCidr('192.168.0.0/20'), parseCidr('192.168.16.0/24')));
  assert.ok(!overlaps(parseCidr('::/0'), a), 'families never overlap');
  assert.ok(containsCidr(a, parseCidr('10.1.2.0/24')));
  assert.ok(!containsCidr(parseCidr('10.1.2.0/24'), a));
});
