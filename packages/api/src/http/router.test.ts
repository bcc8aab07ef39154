import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPolisError } from '@polis/core';
import { compareVersions, Router, splitVersion } from './router.js';

const noop = (): void => undefined;

test('matches method and one-segment params, with or without a trailing slash', () => {
  const r = new Router().add('POST', '/containers/{id}/start', noop);
  assert.deepEqual(r.match('POST', '/containers/abc/start')?.params, { id: 'abc' });
  assert.deepEqual(r.match('POST', '/containers/abc/start/')?.params, { id: 'abc' });
  assert.equal(r.match('GET', '/containers/abc/start'), undefined);
  assert.equal(r.match('POST', '/containers/a/b/start'), undefined);
});

test('greedy params take names with slashes and colons (the longest path)', () => {
  const r = new Router().add('GET', '/images/json', noop).add('GET', '/images/{name*}/json', noop);
  assert.deepEqual(r.match('GET', '/images/localhost:5000/busybox:latest/json')?.params, {
    name: 'localhost:5000/busybox:latest',
  });
  assert.deepEqual(r.match('GET', '/images/a/json/json')?.params, { name: 'a/json' });
  assert.deepEqual(r.match('GET', '/images/json')?.params, {});
  assert.deepEqual(r.match('GET', '/images/my%2Fimage/json')?.params, { name: 'my/image' });
});

test('a malformed escape is a 400, not a crash', () => {
  const r = new Router().add('GET', '/containers/{id}/json', noop);
  assert.throws(
    () => r.match('GET', '/containers/%E0%A4%A/json'),
    (e) => isPolisError(e, 'request.invalid'),
  );
});

test('version prefixes: accepted within 1.24..1.41, stripped; unversioned paths pass', () => {
  assert.deepEqual(splitVersion('/v1.41/containers/json'), { version: '1.41', path: '/containers/json' });
  assert.deepEqual(splitVersion('/v1.24/_ping'), { version: '1.24', path: '/_ping' });
  assert.deepEqual(splitVersion('/containers/json'), { version: '1.41', path: '/containers/json' });
  assert.throws(
    () => splitVersion('/v1.23/info'),
    /client version 1.23 is too old\. Minimum supported API version is 1.24/,
  );
  assert.throws(
    () => splitVersion('/v1.50/info'),
    /client version 1.50 is too new\. Maximum supported API version is 1.41/,
  );
  assert.throws(
    () => splitVersion('/v2/info'),
    (e) => isPolisError(e, 'request.invalid'),
  );
});

test('versions compare numerically, not as text', () => {
  assert.equal(compareVersions('1.9', '1.24'), -1);
  assert.equal(compareVersions('1.41', '1.41.0'), 0);
  assert.equal(compareVersions('1.41', '1.4'), 1);
});

test('a match names its route template, never the raw ids (the metrics label)', () => {
  const router = new Router();
  router.add('GET', '/containers/{id}/json', () => undefined);
  router.add('GET', '/images/{name*}/json', () => undefined);
  assert.equal(router.match('GET', '/containers/abc123/json')?.pattern, '/containers/{id}/json');
  assert.equal(router.match('GET', '/images/localhost:5000/a/b:1/json')?.pattern, '/images/{name*}/json');
  assert.equal(router.match('POST', '/containers/abc123/json'), undefined);
});
