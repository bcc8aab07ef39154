import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MediaType } from '@polis/core';
import { parseManifest } from './parse.js';
import { selectPlatform } from './platform.js';

const d = (c: string): string => `sha256:${c.repeat(64)}`;
const manifest = {
  schemaVersion: 2,
  mediaType: MediaType.DockerManifest,
  config: { mediaType: MediaType.DockerConfig, digest: d('a'), size: 10 },
  layers: [{ mediaType: MediaType.DockerLayerGzip, digest: d('b'), size: 20 }],
};
const index = {
  schemaVersion: 2,
  mediaType: MediaType.OciIndex,
  manifests: [
    {
      mediaType: MediaType.OciManifest,
      digest: d('c'),
      size: 1,
      platform: { os: 'linux', architecture: 'arm64' },
    },
    {
      mediaType: MediaType.OciManifest,
      digest: d('e'),
      size: 1,
      platform: { os: 'linux', architecture: 'amd64' },
    },
    {
      mediaType: MediaType.OciManifest,
      digest: d('f'),
      size: 1,
      platform: { os: 'unknown', architecture: 'unknown' },
    },
  ],
};
const buf = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));

test('manifests and indexes parse when they are what they say', () => {
  const m = parseManifest(buf(manifest), MediaType.DockerManifest);
  assert.equal(m.kind, 'manifest');
  const i = parseManifest(buf(index), 'application/json');
  assert.equal(i.kind, 'index');
  // OCI documents may omit mediaType; the structure and header decide.
  const { mediaType: _omit, ...bare } = index;
  assert.equal(parseManifest(buf(bare), '').kind, 'index');
});

test('a document that lies about its media type is refused', () => {
  assert.throws(() => parseManifest(buf(manifest), MediaType.OciManifest), /media type mismatch/);
  assert.throws(
    () => parseManifest(buf({ ...index, mediaType: MediaType.OciManifest }), MediaType.OciManifest),
    /media type mismatch.*content is an index/,
  );
  assert.throws(
    () => parseManifest(buf({ ...manifest, mediaType: MediaType.DockerManifestList }), ''),
    /media type mismatch/,
  );
});

test('malformed manifests are refused with the reason', () => {
  assert.throws(() => parseManifest(Buffer.from('{nope'), ''), /not JSON/);
  assert.throws(() => parseManifest(buf({ schemaVersion: 1, name: 'x' }), ''), /schema 1/);
  const badDigest = {
    ...manifest,
    layers: [{ mediaType: MediaType.DockerLayerGzip, digest: 'md5:x', size: 1 }],
  };
  assert.throws(() => parseManifest(buf(badDigest), ''), /invalid digest/);
  const badSize = {
    ...manifest,
    layers: [{ mediaType: MediaType.DockerLayerGzip, digest: d('b'), size: -1 }],
  };
  assert.throws(() => parseManifest(buf(badSize), ''), /invalid size/);
  const helm = {
    ...manifest,
    config: { mediaType: 'application/vnd.cncf.helm.config.v1+json', digest: d('a'), size: 1 },
  };
  assert.throws(() => parseManifest(buf(helm), ''), /not a container image/);
});

test('platform selection picks the wanted entry and explains a miss', () => {
  const i = parseManifest(buf(index), '');
  assert.ok(i.kind === 'index');
  assert.equal(selectPlatform(i.manifests, { os: 'linux', architecture: 'amd64' }).digest, d('e'));
  assert.equal(
    selectPlatform(i.manifests, { os: 'linux', architecture: 'arm64', variant: 'v8' }).digest,
    d('c'),
  );
  assert.throws(
    () => selectPlatform(i.manifests, { os: 'linux', architecture: 's390x' }),
    /no matching manifest for linux\/s390x.*available: linux\/arm64, linux\/amd64\)/,
  );
});
