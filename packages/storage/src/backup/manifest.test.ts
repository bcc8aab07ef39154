import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPolisError } from '@polis/core';
import { FORMAT_VERSION, manifestEntry, manifestOf, parseManifest, parseTrailer } from './manifest.js';
import { parseHeader } from './tar-block.js';

const volume = {
  name: 'pages',
  driver: 'local',
  createdAt: '2026-12-03T10:00:00Z',
  mountpoint: '/nowhere/pages/_data',
  labels: { app: 'web' },
  options: {},
  anonymous: false,
};

function refused(fn: () => unknown, message: RegExp): void {
  assert.throws(
    fn,
    (err: unknown) => isPolisError(err, 'volume.backup_invalid') && message.test(err.message),
  );
}

describe('backup manifest', () => {
  it('round-trips a volume record and is the same bytes each time', () => {
    const m = manifestOf(volume);
    assert.deepEqual(parseManifest(Buffer.from(JSON.stringify(m))), m);
    assert.equal(m.formatVersion, FORMAT_VERSION);
    assert.deepEqual(manifestEntry(m), manifestEntry(manifestOf({ ...volume })));
    const header = parseHeader(manifestEntry(m).subarray(0, 512));
    assert.deepEqual([header.name, header.type], ['polis-volume.json', '0']);
  });

  it('refuses another format version, a bad name, missing fields and what is not JSON', () => {
    const m = manifestOf(volume);
    refused(() => parseManifest(Buffer.from(JSON.stringify({ ...m, formatVersion: 3 }))), /format version 3/);
    refused(() => parseManifest(Buffer.from(JSON.stringify({ ...m, name: '../etc' }))), /invalid volume/);
    refused(
      () => parseManifest(Buffer.from(JSON.stringify({ ...m, driver: undefined }))),
      /driver is missing/,
    );
    refused(() => parseManifest(Buffer.from(JSON.stringify({ ...m, labels: { a: 1 } }))), /labels/);
    refused(() => parseManifest(Buffer.from(JSON.stringify({ ...m, digestAlgorithm: 'md5' }))), /md5/);
    refused(() => parseManifest(Buffer.from('{"formatVersion":')), /not JSON/);
    refused(() => parseManifest(Buffer.from('[1]')), /not a JSON object/);
  });

  it('reads a trailer only with a sha256 digest and a size', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    assert.deepEqual(parseTrailer(Buffer.from(JSON.stringify({ digest, size: 1024 }))), {
      digest,
      size: 1024,
    });
    refused(() => parseTrailer(Buffer.from(JSON.stringify({ digest: 'sha256:abc', size: 1 }))), /no sha256/);
    refused(() => parseTrailer(Buffer.from(JSON.stringify({ digest, size: -1 }))), /no size/);
  });
});
