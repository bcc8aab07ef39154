import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isPolisError, MediaType, type Index, type Manifest } from '@polis/core';
import { sha256Digest } from '../digest.js';
import { saveImages } from './save.js';
import { collect, commitLayers, layerTar, untar, withServices } from '../testing/archive-fixtures.js';

interface Entry {
  Config: string;
  RepoTags: string[];
  Layers: string[];
}

async function saveTo(dir: string, archive: Buffer): Promise<{ entries: Entry[]; index: Index }> {
  await mkdir(dir);
  await untar(archive, dir);
  const entries = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Entry[];
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as Index;
  return { entries, index };
}

test('save writes docker 25 layout: manifest.json, repositories and an OCI layout with plain tar layers', () =>
  withServices(async ({ dir, open }) => {
    const service = await open('a');
    const layers = [layerTar('bottom'), layerTar('top')];
    const image = await commitLayers(service, layers, ['busybox:latest', 'busybox:1.36']);
    await commitLayers(service, [layerTar('other')], ['other:1']);

    const out = join(dir, 'out');
    const { entries, index } = await saveTo(out, await collect(saveImages(service, ['busybox:latest'])));
    const diffIds = layers.map((l) => sha256Digest(l));
    assert.deepEqual(entries, [
      {
        Config: `blobs/sha256/${image.id.slice(7)}`,
        RepoTags: ['busybox:latest'],
        Layers: diffIds.map((d) => `blobs/sha256/${d.slice(7)}`),
      },
    ]);
    assert.deepEqual(JSON.parse(await readFile(join(out, 'oci-layout'), 'utf8')), {
      imageLayoutVersion: '1.0.0',
    });
    assert.deepEqual(JSON.parse(await readFile(join(out, 'repositories'), 'utf8')), {
      busybox: { latest: (diffIds[1] as string).slice(7) },
    });
    // Every blob is named by its content's digest; layers are the uncompressed tars.
    for (const name of await readdir(join(out, 'blobs', 'sha256'))) {
      assert.equal(sha256Digest(await readFile(join(out, 'blobs', 'sha256', name))), `sha256:${name}`);
    }
    assert.deepEqual(
      await readFile(join(out, 'blobs', 'sha256', (diffIds[0] as string).slice(7))),
      layers[0],
    );
    assert.equal(index.manifests.length, 1);
    const top = index.manifests[0];
    assert.deepEqual(top?.annotations, {
      'io.containerd.image.name': 'docker.io/library/busybox:latest',
      'org.opencontainers.image.ref.name': 'latest',
    });
    const manifest = JSON.parse(
      await readFile(join(out, 'blobs', 'sha256', (top?.digest ?? '').slice(7)), 'utf8'),
    ) as Manifest;
    assert.equal(manifest.config.digest, image.id);
    assert.deepEqual(
      manifest.layers.map((l) => [l.mediaType, l.digest, l.size]),
      layers.map((l) => [MediaType.OciLayer, sha256Digest(l), l.length]),
    );
  }));

test('save by id gives no names; a bare repository saves all its tags; images are written once', () =>
  withServices(async ({ dir, open }) => {
    const service = await open('a');
    const image = await commitLayers(service, [layerTar()], ['busybox:latest', 'busybox:1.36', 'x/y:2']);
    const byId = await saveTo(join(dir, 'id'), await collect(saveImages(service, [image.id.slice(7, 19)])));
    assert.deepEqual(byId.entries[0]?.RepoTags, []);
    assert.equal(byId.index.manifests[0]?.annotations, undefined);

    const repo = await saveTo(
      join(dir, 'repo'),
      await collect(saveImages(service, ['busybox', 'x/y:2', image.id])),
    );
    assert.equal(repo.entries.length, 1);
    assert.deepEqual(repo.entries[0]?.RepoTags, ['busybox:latest', 'busybox:1.36', 'x/y:2']);
    assert.equal(repo.index.manifests.length, 3);
  }));

test('save decompresses zstd layers into their diff id tars', () =>
  withServices(async ({ dir, open }) => {
    const service = await open('a');
    const layer = layerTar('zstd content');
    await commitLayers(service, [layer], ['z:1'], 'zstd');
    const out = join(dir, 'out');
    await saveTo(out, await collect(saveImages(service, ['z:1'])));
    assert.deepEqual(await readFile(join(out, 'blobs', 'sha256', sha256Digest(layer).slice(7))), layer);
  }));

test('save of an unknown name fails before any byte is streamed', () =>
  withServices(async ({ open }) => {
    const service = await open('a');
    await commitLayers(service, [layerTar()], ['busybox:latest']);
    assert.throws(
      () => saveImages(service, ['busybox', 'nosuch:1']),
      (err: unknown) => isPolisError(err, 'image.not_found'),
    );
  }));
