import { test } from 'node:test';
import assert from 'node:assert/strict';
import { familiarName, familiarRepository } from './familiar.js';
import { normalizeReference, parseReference } from './parse.js';

const DIGEST = `sha256:${'f'.repeat(64)}`;

test('docker.io official images drop the domain and library/', () => {
  assert.equal(familiarName('docker.io/library/busybox:latest'), 'busybox:latest');
  assert.equal(familiarName(normalizeReference('busybox')), 'busybox:latest');
  assert.equal(familiarName('busybox'), 'busybox');
});

test('docker.io user images drop only the domain', () => {
  assert.equal(familiarName('docker.io/user/repo:tag'), 'user/repo:tag');
  assert.equal(familiarName('docker.io/library/a/b:1'), 'library/a/b:1');
});

test('other registries keep their host', () => {
  assert.equal(familiarName('host:5000/repo:tag'), 'host:5000/repo:tag');
  assert.equal(familiarName(`localhost/x@${DIGEST}`), `localhost/x@${DIGEST}`);
  assert.equal(familiarName(`busybox:1@${DIGEST}`), `busybox:1@${DIGEST}`);
});

test('familiarRepository has no tag or digest', () => {
  assert.equal(familiarRepository(parseReference('busybox:1')), 'busybox');
  assert.equal(familiarRepository(parseReference(`quay.io/a/b@${DIGEST}`)), 'quay.io/a/b');
});
