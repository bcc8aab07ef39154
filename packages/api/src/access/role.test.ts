import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPolisError } from '@polis/core';
import { authorize, roleOf } from './role.js';

const PRINT = 'AB:CD:' + '01:'.repeat(29) + 'EF';

test('a connection without a client certificate (unix socket, loopback) has full access', () => {
  assert.equal(roleOf(undefined, ['alice']), 'full');
});

test('OU=polis-readonly makes a certificate read-only; another OU does not', () => {
  assert.equal(roleOf({ cn: 'bob', ou: ['ops', 'polis-readonly'] }, []), 'read-only');
  assert.equal(roleOf({ cn: 'bob', ou: ['polis-readonly-not'] }, []), 'full');
});

test('readonly-clients names certificates by CN (bare or CN=) or by SHA-256 fingerprint in any spelling', () => {
  const id = { cn: 'alice', ou: [], fingerprint256: PRINT };
  assert.equal(roleOf(id, ['alice']), 'read-only');
  assert.equal(roleOf(id, ['CN=alice']), 'read-only');
  assert.equal(roleOf(id, [PRINT.toLowerCase()]), 'read-only');
  assert.equal(roleOf(id, [`sha256:${PRINT.replace(/:/g, '')}`]), 'read-only');
  assert.equal(roleOf(id, ['alic', 'CN=bob', 'sha256:' + 'ff'.repeat(32)]), 'full');
  // A fingerprint entry never matches a CN that happens to be spelled like one.
  assert.equal(roleOf({ cn: 'ff'.repeat(32), ou: [] }, ['ff'.repeat(32)]), 'full');
});

test('read-only may GET and HEAD; every other method and any upgrade is access.read_only (403)', () => {
  assert.doesNotThrow(() => authorize('read-only', 'GET', false));
  assert.doesNotThrow(() => authorize('read-only', 'HEAD', false));
  for (const [method, upgrade] of [
    ['POST', false],
    ['PUT', false],
    ['DELETE', false],
    ['OPTIONS', false],
    ['POST', true],
    ['GET', true],
  ] as const) {
    assert.throws(
      () => authorize('read-only', method, upgrade),
      (err: unknown) => isPolisError(err, 'access.read_only') && /read-only/.test(err.message),
      `${method} upgrade=${upgrade}`,
    );
  }
  for (const method of ['GET', 'POST', 'DELETE']) assert.doesNotThrow(() => authorize('full', method, true));
});
