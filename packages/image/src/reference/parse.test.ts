import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPolisError } from '@polis/core';
import { formatReference, normalizeReference, parseReference, repositoryName } from './parse.js';

const HEX = 'a'.repeat(64);
const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

function full(input: string): string {
  return formatReference(normalizeReference(input));
}

function rejects(input: string, detail?: RegExp): void {
  assert.throws(
    () => parseReference(input),
    (err: unknown) =>
      isPolisError(err, 'image.reference_invalid') &&
      err.message.startsWith('invalid reference format') &&
      (detail === undefined || detail.test(err.message)),
    `expected ${JSON.stringify(input)} to be rejected`,
  );
}

test('official images get docker.io/library and :latest', () => {
  assert.equal(full('busybox'), 'docker.io/library/busybox:latest');
  assert.equal(full('busybox:1.36'), 'docker.io/library/busybox:1.36');
  assert.equal(full('library/busybox'), 'docker.io/library/busybox:latest');
  assert.equal(full('docker.io/busybox'), 'docker.io/library/busybox:latest');
  assert.equal(full('index.docker.io/busybox'), 'docker.io/library/busybox:latest');
  assert.equal(full('docker.io/library/busybox:latest'), 'docker.io/library/busybox:latest');
});

test('user repositories stay under docker.io without library/', () => {
  assert.equal(full('user/repo'), 'docker.io/user/repo:latest');
  assert.equal(full('user/repo:v1.0'), 'docker.io/user/repo:v1.0');
  assert.equal(full('org/team/repo'), 'docker.io/org/team/repo:latest');
});

test('a first component with a dot, a port or localhost is a registry host', () => {
  assert.deepEqual(parseReference('host:5000/repo:tag'), { domain: 'host:5000', path: 'repo', tag: 'tag' });
  assert.deepEqual(parseReference('localhost/repo'), { domain: 'localhost', path: 'repo' });
  assert.deepEqual(parseReference('localhost:5000/a/b'), { domain: 'localhost:5000', path: 'a/b' });
  assert.deepEqual(parseReference('registry.example.com/x'), { domain: 'registry.example.com', path: 'x' });
  assert.deepEqual(parseReference('127.0.0.1:5000/x'), { domain: '127.0.0.1:5000', path: 'x' });
  assert.deepEqual(parseReference('[::1]:5000/x'), { domain: '[::1]:5000', path: 'x' });
  // Docker's rule: an uppercase first component can only be a host.
  assert.deepEqual(parseReference('Registry/x'), { domain: 'Registry', path: 'x' });
  // Without a dot, port or "localhost", the first component is part of the path.
  assert.deepEqual(parseReference('host/repo'), { domain: 'docker.io', path: 'host/repo' });
});

test('digests, alone or with a tag', () => {
  assert.deepEqual(parseReference(`repo@${DIGEST}`), {
    domain: 'docker.io',
    path: 'library/repo',
    digest: DIGEST,
  });
  assert.deepEqual(parseReference(`repo:tag@${DIGEST}`), {
    domain: 'docker.io',
    path: 'library/repo',
    tag: 'tag',
    digest: DIGEST,
  });
  assert.equal(full(`host:5000/repo@${DIGEST}`), `host:5000/repo@${DIGEST}`);
  // A digest reference gets no default tag.
  assert.equal(normalizeReference(`repo@${DIGEST}`).tag, undefined);
});

test('separators and tag characters', () => {
  assert.equal(full('a_b.c-d__e---f'), 'docker.io/library/a_b.c-d__e---f:latest');
  assert.equal(full('repo:Tag_1.2-rc'), 'docker.io/library/repo:Tag_1.2-rc');
  assert.equal(full(`repo:${'t'.repeat(128)}`), `docker.io/library/repo:${'t'.repeat(128)}`);
  assert.equal(repositoryName(parseReference('busybox:1')), 'docker.io/library/busybox');
});

test('uppercase repository paths are rejected, not lowered', () => {
  rejects('Busybox', /repository name \(library\/Busybox\) must be lowercase/);
  rejects('user/Repo', /must be lowercase/);
  rejects('host:5000/Repo', /must be lowercase/);
});

test('malformed references are rejected with image.reference_invalid', () => {
  rejects('', /at least one component/);
  rejects(HEX, /64-byte hexadecimal/);
  rejects('repo:');
  rejects(':tag');
  rejects('repo:-tag');
  rejects(`repo:${'t'.repeat(129)}`);
  rejects('repo//x');
  rejects('/repo');
  rejects('repo/');
  rejects('-repo');
  rejects('repo_');
  rejects('re po');
  rejects('repo@sha256:abc');
  rejects(`repo@sha256:${'a'.repeat(32)}`, /invalid checksum digest format/);
  rejects(`repo@md5:${'a'.repeat(32)}`, /unsupported digest algorithm/);
  rejects(`repo@sha256:${'A'.repeat(64)}`, /invalid checksum digest format/);
  rejects(`a/${'b'.repeat(260)}`, /not be more than 255 characters/);
  rejects('x'.repeat(5000));
});
