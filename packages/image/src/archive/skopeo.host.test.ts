import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { proc } from '@polis/core';
import { sha256Digest } from '../digest.js';
import { loadImages } from './load.js';
import { saveImages } from './save.js';
import { collect, commitLayers, layerTar, withServices } from '../testing/archive-fixtures.js';

/** Compatibility with containers/image (skopeo), which reads docker-archive and OCI layouts strictly. */
const skopeo = (args: string[]): Promise<proc.RunResult> =>
  proc.run('skopeo', ['--insecure-policy', ...args], { timeoutMs: 60_000 });

test('skopeo reads what save writes, and load reads what skopeo writes', () =>
  withServices(async ({ dir, open }) => {
    const a = await open('a');
    const layers = [layerTar('skopeo one'), layerTar('skopeo two')];
    const image = await commitLayers(a, layers, ['busybox:latest'], 'zstd');
    const saved = join(dir, 'saved.tar');
    await writeFile(saved, await collect(saveImages(a, ['busybox:latest'])));

    const inspect = JSON.parse((await skopeo(['inspect', `docker-archive:${saved}`])).stdout) as {
      Layers: string[];
      RepoTags?: string[];
    };
    assert.deepEqual(
      inspect.Layers,
      layers.map((l) => sha256Digest(l)),
    );
    const ociDir = join(dir, 'oci');
    await skopeo(['copy', `docker-archive:${saved}`, `oci:${ociDir}:copied`]);
    // skopeo re-serialises the config when it turns the docker manifest into an OCI one: same content,
    // other bytes, so the image id changes from here on.
    const copied = (await skopeo(['inspect', '--raw', '--config', `oci:${ociDir}:copied`])).stdout;
    assert.deepEqual(JSON.parse(copied), image.config);
    const copiedId = sha256Digest(copied);

    // Back through skopeo's docker-archive writer, under another name, into a second store.
    const back = join(dir, 'back.tar');
    await skopeo(['copy', `oci:${ociDir}:copied`, `docker-archive:${back}:example.com/team/app:7`]);
    const b = await open('b');
    const lines: string[] = [];
    await loadImages(b, createReadStream(back), (line) => lines.push(line));
    assert.deepEqual(lines, ['Loaded image: example.com/team/app:7']);
    assert.equal(b.get('example.com/team/app:7').id, copiedId);

    // And the OCI layout itself, tarred up as `docker load` accepts it.
    const ociTar = join(dir, 'oci.tar');
    await proc.run('tar', ['-c', '-f', ociTar, '-C', ociDir, '.']);
    const c = await open('c');
    const { loaded } = await loadImages(c, createReadStream(ociTar));
    // skopeo's ref name is the bare tag "copied": there is no repository to give it, so the id is shown.
    assert.deepEqual(loaded, [copiedId]);
    assert.deepEqual(
      c.layersOf(copiedId).map((l) => l.diffId),
      layers.map((l) => sha256Digest(l)),
    );
  }));
