import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { MediaType, type Descriptor } from '@polis/core';
import { sha256Digest } from '../digest.js';
import { hostPlatform } from '../import/config.js';
import { tarArchive, type TarEntry } from '../tar/writer.js';
import { loadImages } from './load.js';
import { saveImages } from './save.js';
import {
  collect,
  commitLayers,
  contents,
  imageConfig,
  layerTar,
  withServices,
  zstd,
} from '../testing/archive-fixtures.js';

function blobEntry(data: Buffer): TarEntry {
  return { name: `blobs/sha256/${sha256Digest(data).slice(7)}`, type: 'file', data };
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

test('save then load into another store keeps the image id, names and layers', () =>
  withServices(async ({ open }) => {
    const a = await open('a');
    const b = await open('b');
    const layers = [layerTar('one'), layerTar('two')];
    const image = await commitLayers(a, layers, ['busybox:latest', 'host:5000/x/y:tag'], 'zstd');
    const dangling = await commitLayers(a, [layerTar('three')]);
    const archive = await collect(saveImages(a, ['busybox', 'host:5000/x/y:tag', dangling.id]));

    const lines: string[] = [];
    const result = await loadImages(b, Readable.from([archive]), (line) => lines.push(line));
    assert.deepEqual(lines, [
      'Loaded image: busybox:latest',
      'Loaded image: host:5000/x/y:tag',
      `Loaded image ID: ${dangling.id}`,
    ]);
    assert.deepEqual(result.loaded, ['busybox:latest', 'host:5000/x/y:tag', dangling.id]);
    const loaded = b.get('busybox:latest');
    assert.equal(loaded.id, image.id);
    assert.deepEqual(loaded.repoTags, ['docker.io/library/busybox:latest', 'host:5000/x/y:tag']);
    assert.deepEqual(loaded.chainIds, image.chainIds);
    assert.deepEqual(
      b.layersOf(loaded.id).map((l) => [l.diffId, l.mediaType, l.size]),
      layers.map((l) => [sha256Digest(l), MediaType.OciLayer, l.length]),
    );
    assert.deepEqual(b.get(dangling.id).repoTags, []);
    assert.deepEqual((await contents(b)).tmp, []);

    // Saving again from the second store gives the same bytes but for the tar timestamps.
    const again = await collect(saveImages(b, [image.id]));
    await loadImages(a, Readable.from([gzipSync(again)]));
    assert.equal(a.get('busybox:latest').id, image.id);
  }));

test('load reads the old docker save layout, with layers shared through symlinks', () =>
  withServices(async ({ open }) => {
    const service = await open('a');
    const base = layerTar('base');
    const topTar = layerTar('top');
    const top = gzipSync(topTar);
    const config = imageConfig([base, topTar]);
    const other = imageConfig([base], { comment: 'other' });
    const archive = tarArchive([
      { name: 'l1/', type: 'dir' },
      { name: 'l1/layer.tar', type: 'file', data: base },
      { name: 'l2/', type: 'dir' },
      { name: 'l2/layer.tar', type: 'file', data: top },
      { name: 'l3/', type: 'dir' },
      { name: 'l3/layer.tar', type: 'symlink', linkname: '../l1/layer.tar' },
      { name: 'c1.json', type: 'file', data: config },
      { name: 'c2.json', type: 'file', data: other },
      {
        name: 'manifest.json',
        type: 'file',
        data: json([
          { Config: 'c1.json', RepoTags: ['app:1'], Layers: ['l1/layer.tar', 'l2/layer.tar'] },
          { Config: 'c2.json', RepoTags: null, Layers: ['l3/layer.tar'] },
        ]),
      },
    ]);
    const { loaded } = await loadImages(service, Readable.from([archive]));
    assert.deepEqual(loaded, ['app:1', sha256Digest(other)]);
    const app = service.get('app:1');
    assert.equal(app.id, sha256Digest(config));
    assert.deepEqual(
      service.layersOf(app.id).map((l) => l.mediaType),
      [MediaType.OciLayer, MediaType.OciLayerGzip],
    );
  }));

test('load reads an OCI layout: names from annotations, the host platform from a nested index', () =>
  withServices(async ({ open }) => {
    const service = await open('a');
    const layer = layerTar('oci');
    const blob = await zstd(layer);
    const config = imageConfig([layer]);
    const manifest = json({
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      config: { mediaType: MediaType.OciConfig, digest: sha256Digest(config), size: config.length },
      layers: [{ mediaType: MediaType.OciLayerZstd, digest: sha256Digest(blob), size: blob.length }],
    });
    const host = hostPlatform();
    const desc = (data: Buffer, mediaType: string, extra: Partial<Descriptor> = {}): Descriptor => ({
      mediaType,
      digest: sha256Digest(data),
      size: data.length,
      ...extra,
    });
    const nested = json({
      schemaVersion: 2,
      mediaType: MediaType.OciIndex,
      manifests: [
        desc(json({ nope: 1 }), MediaType.OciManifest, {
          platform: { os: 'linux', architecture: 'nonesuch' },
        }),
        desc(manifest, MediaType.OciManifest, { platform: host }),
      ],
    });
    const index = json({
      schemaVersion: 2,
      manifests: [
        desc(nested, MediaType.OciIndex, {
          annotations: { 'io.containerd.image.name': 'example.com/team/app:2' },
        }),
        desc(manifest, MediaType.OciManifest, {
          annotations: { 'org.opencontainers.image.ref.name': 'app:3' },
        }),
        // A bare ref name is only a tag: no name comes of it.
        desc(manifest, MediaType.OciManifest, { annotations: { 'org.opencontainers.image.ref.name': 'v4' } }),
      ],
    });
    const archive = tarArchive([
      { name: 'oci-layout', type: 'file', data: json({ imageLayoutVersion: '1.0.0' }) },
      { name: 'index.json', type: 'file', data: index },
      ...[config, blob, manifest, nested].map(blobEntry),
    ]);
    const { loaded } = await loadImages(service, Readable.from([archive]));
    assert.deepEqual(loaded, ['example.com/team/app:2', 'app:3']);
    const image = service.get('example.com/team/app:2');
    assert.equal(image.id, sha256Digest(config));
    assert.equal(image.manifestDigest, sha256Digest(manifest));
    assert.deepEqual(
      service.layersOf(image.id).map((l) => [l.blobDigest, l.mediaType]),
      [[sha256Digest(blob), MediaType.OciLayerZstd]],
    );
  }));
