import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPolisError } from '@polis/core/errors';
import { familiarName, parseReference, referenceString, withDefaultTag } from './reference.js';

test('normalizes Docker Hub names as docker does', () => {
  assert.deepEqual(parseReference('busybox'), { domain: 'docker.io', path: 'library/busybox' });
  assert.deepEqual(parseReference('me/app:1.0'), { domain: 'docker.io', path: 'me/app', tag: '1.0' });
  assert.deepEqual(parseReference('index.docker.io/library/busybox'), {
    domain: 'docker.io',
    path: 'library/busybox',
  });
  assert.equal(
    referenceString(withDefaultTag(parseReference('busybox'))),
    'docker.io/library/busybox:latest',
  );
  assert.equal(familiarName(parseReference('docker.io/library/busybox')), 'busybox');
  assert.equal(familiarName(parseReference('docker.io/library/a/b')), 'library/a/b');
});

test('a first component with a dot, a colon or localhost is the registry host', () => {
  assert.deepEqual(parseReference('localhost:5000/app:v2'), {
    domain: 'localhost:5000',
    path: 'app',
    tag: 'v2',
  });
  assert.deepEqual(parseReference('localhost/app'), { domain: 'localhost', path: 'app' });
  assert.deepEqual(parseReference('ghcr.io/o/r'), { domain: 'ghcr.io', path: 'o/r' });
  assert.equal(familiarName(parseReference('ghcr.io/o/r')), 'ghcr.io/o/r');
  const digest = `sha256:${'a'.repeat(64)}`;
  assert.deepEqual(parseReference(`127.0.0.1:5000/x@${digest}`), {
    domain: '127.0.0.1:5000',
    path: 'x',
    digest,
  });
});

test('rejects malformed references with image.reference_invalid', () => {
  for (const bad of ['', 'Busybox', 'a//b', 'busybox:', 'x@sha256:short', 'a:b:c']) {
    assert.throws(
      () => parseReference(bad),
      (err) => isPolisError(err, 'image.reference_invalid'),
      bad,
    );
  }
  assert.throws(() => parseReference('Busybox'), /must be lowercase/);
});
