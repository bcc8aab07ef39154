import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, lstat, mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { isPolisError } from '@polis/core';
import { sha256Digest } from '../digest.js';
import { tarArchive, type TarEntry } from '../tar/writer.js';
import { withTempDir } from '../test-util.js';
import { LayerStore } from './store.js';

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Unpacks one archive through the layer store; returns whether tar accepted it. */
async function unpack(store: LayerStore, entries: TarEntry[]): Promise<boolean> {
  const archive = tarArchive(entries);
  const chainId = sha256Digest(archive);
  try {
    await store.ensure(chainId, async () => ({ stream: Readable.from([archive]), done: Promise.resolve() }));
    return true;
  } catch (err) {
    assert.ok(isPolisError(err, 'image.layer_invalid'), `unexpected error ${String(err)}`);
    return false;
  }
}

test('hostile archives cannot write outside the layer dir', () =>
  withTempDir('hostile', async (dir) => {
    const dataRoot = join(dir, 'data');
    const outside = join(dir, 'outside');
    await mkdir(outside);
    const store = new LayerStore(dataRoot);
    await store.init();

    await unpack(store, [{ name: '../evil', type: 'file', data: 'x' }]);
    await unpack(store, [{ name: '../../../evil', type: 'file', data: 'x' }]);
    // A leading slash is stripped: the file lands inside the layer.
    const absolute: TarEntry[] = [{ name: `${outside}/abs`, type: 'file', data: 'x' }];
    assert.equal(await unpack(store, absolute), true);
    const absLayer = store.diffDir(sha256Digest(tarArchive(absolute)));
    assert.equal(await readFile(join(absLayer, outside, 'abs'), 'utf8'), 'x');
    // A symlink to outside, then a member written through it.
    await unpack(store, [
      { name: 'link', type: 'symlink', linkname: outside },
      { name: 'link/file', type: 'file', data: 'through the link' },
    ]);
    await unpack(store, [
      { name: 'rel', type: 'symlink', linkname: '../../../../outside' },
      { name: 'rel/file2', type: 'file', data: 'through the link' },
    ]);
    // A hard link to a host file.
    await unpack(store, [{ name: 'hard', type: 'hardlink', linkname: '/etc/hostname' }]);

    assert.deepEqual(await readdir(outside), [], 'nothing written into the outside dir');
    assert.equal(await exists(join(dir, 'evil')), false);
    assert.equal(await exists(join(dataRoot, 'evil')), false);
    assert.equal(await exists(join(dataRoot, 'overlay', 'evil')), false);
    assert.deepEqual((await readdir(dir)).sort(), ['data', 'outside']);
    // Nothing half-unpacked is left in the overlay root either.
    const names = await readdir(store.root);
    assert.ok(!names.some((n) => n.startsWith('.tmp-')), names.join(','));
    for (const layer of await store.list()) {
      const st = await lstat(store.diffDir(layer));
      assert.ok(st.isDirectory());
    }
  }));
