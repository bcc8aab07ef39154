import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { isPolisError } from '@polis/core';
import { sha256Digest } from '../digest.js';
import { tarArchive, type TarEntry } from '../tar/writer.js';
import { loadImages } from './load.js';
import { contents, imageConfig, layerTar, withServices } from '../testing/archive-fixtures.js';

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

/** A Docker 25 style archive of one image whose layer member holds `layerData` (default: the layer). */
function dockerArchive(layer: Buffer, options: { layerData?: Buffer; config?: Buffer } = {}): TarEntry[] {
  const config = options.config ?? imageConfig([layer]);
  const configPath = `blobs/sha256/${sha256Digest(config).slice(7)}`;
  const layerPath = `blobs/sha256/${sha256Digest(layer).slice(7)}`;
  return [
    {
      name: 'manifest.json',
      type: 'file',
      data: json([{ Config: configPath, RepoTags: ['bad:1'], Layers: [layerPath] }]),
    },
    { name: configPath, type: 'file', data: config },
    { name: layerPath, type: 'file', data: options.layerData ?? layer },
  ];
}

const layer = layerTar('hostile');
const cases: [string, Buffer, RegExp][] = [
  [
    'a member ../x',
    tarArchive([...dockerArchive(layer), { name: '../x', type: 'file', data: 'escape' }]),
    /\.\./,
  ],
  ['a missing layer blob', tarArchive(dockerArchive(layer).slice(0, 2)), /is missing/],
  [
    'a layer that does not match its digest',
    tarArchive(dockerArchive(layer, { layerData: layerTar('other') })),
    /digest mismatch/,
  ],
  [
    'a layer whose content is not the diff id',
    tarArchive(dockerArchive(layer, { config: imageConfig([layerTar()]) })),
    /diff id/,
  ],
  [
    'a layer member that links out of the archive',
    tarArchive([
      ...dockerArchive(layer).slice(0, 2),
      { name: `blobs/sha256/${sha256Digest(layer).slice(7)}`, type: 'symlink', linkname: '/etc/hostname' },
    ]),
    /not a file inside the archive/,
  ],
  [
    'manifest.json that is not JSON',
    tarArchive([{ name: 'manifest.json', type: 'file', data: '[{"Config":' }]),
    /not valid JSON/,
  ],
  [
    'manifest.json of the wrong shape',
    tarArchive([{ name: 'manifest.json', type: 'file', data: '{"a":1}' }]),
    /not a list/,
  ],
  [
    'an archive with neither manifest.json nor index.json',
    tarArchive([{ name: 'x', type: 'file', data: 'x' }]),
    /no manifest.json or index.json/,
  ],
  [
    'an index.json naming a missing manifest',
    tarArchive([
      {
        name: 'index.json',
        type: 'file',
        data: json({
          schemaVersion: 2,
          manifests: [
            { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha256Digest('x'), size: 1 },
          ],
        }),
      },
    ]),
    /is missing/,
  ],
  ['bytes that are not a tar', Buffer.from('this is not a tar archive '.repeat(100)), /not a tar/],
  ['empty input', Buffer.alloc(0), /not a tar/],
];

for (const [what, archive, reason] of cases) {
  test(`load refuses ${what} and leaves nothing behind`, () =>
    withServices(async ({ open }) => {
      const service = await open('a');
      await assert.rejects(loadImages(service, Readable.from([archive])), (err: unknown) => {
        assert.ok(isPolisError(err, 'image.archive_invalid'), `unexpected ${String(err)}`);
        assert.match(err.message, reason);
        return true;
      });
      // An escaping member would have landed in the temp dir's parent, which is listed here.
      assert.deepEqual(await contents(service), { images: 0, blobs: [], tmp: [] });
    }));
}

test('a load refused late keeps the images that were already in the store', () =>
  withServices(async ({ open }) => {
    const service = await open('a');
    const good = layerTar('good');
    const ok = tarArchive(dockerArchive(good));
    await loadImages(service, Readable.from([ok]));
    const before = await contents(service);
    const bad = tarArchive(dockerArchive(good, { config: imageConfig([layerTar()]) }));
    await assert.rejects(loadImages(service, Readable.from([bad])));
    assert.deepEqual(await contents(service), before);
    assert.equal(service.get('bad:1').id, sha256Digest(imageConfig([good])));
  }));
