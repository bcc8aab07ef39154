import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, lstat, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isPolisError, proc } from '@polis/core';
import { tarArchive } from '../tar/writer.js';
import { withTempDir } from '../testing/temp-dir.js';
import { extractTar } from './extract.js';
import { convertWhiteouts, scanWhiteouts } from './whiteout.js';
import { Readable } from 'node:stream';
import { sha256Digest } from '../digest.js';
import { LayerStore } from './store.js';
import { unpackLayer } from './unpack.js';

const OLD = 1_000_000_000;

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** An upper layer in OCI form: `a` opaque, `gone` and `b/x` deleted, aufs metadata to drop. */
function upperLayer(): Buffer {
  return tarArchive([
    { name: 'a/', type: 'dir', mode: 0o755, mtime: OLD },
    { name: 'a/.wh..wh..opq', type: 'file', mtime: OLD },
    { name: 'a/keep', type: 'file', data: 'kept', mtime: OLD },
    { name: '.wh.gone', type: 'file', mtime: OLD },
    { name: '.wh..wh.plnk', type: 'dir', mtime: OLD },
    { name: 'b/', type: 'dir', mode: 0o750, mtime: OLD },
    { name: 'b/.wh.x', type: 'file', mtime: OLD },
  ]);
}

test('OCI whiteouts become overlay whiteouts and overlay hides the lower files', () =>
  withTempDir('whiteout', async (dir) => {
    const lower = join(dir, 'lower');
    const upper = join(dir, 'upper');
    const merged = join(dir, 'merged');
    for (const d of [join(lower, 'a'), join(lower, 'b'), upper, merged]) await mkdir(d, { recursive: true });
    await writeFile(join(lower, 'a/old'), 'old');
    await writeFile(join(lower, 'gone'), 'gone');
    await writeFile(join(lower, 'b/x'), 'x');
    await writeFile(join(lower, 'b/y'), 'y');

    await extractTar(upperLayer(), upper);
    const scan = await convertWhiteouts(upper);
    assert.deepEqual(scan.opaque, ['a']);
    assert.deepEqual(scan.removed.sort(), ['b/x', 'gone']);

    for (const path of ['gone', 'b/x']) {
      const st = await lstat(join(upper, path));
      assert.ok(st.isCharacterDevice(), `${path} is a character device`);
      assert.equal(st.rdev, 0);
    }
    const leftovers = [
      ...(await readdir(upper)),
      ...(await readdir(join(upper, 'a'))),
      ...(await readdir(join(upper, 'b'))),
    ];
    assert.ok(!leftovers.some((n) => n.startsWith('.wh.')), `no markers left: ${leftovers.join(',')}`);
    // The parents keep the layer's mode and time although markers were removed and nodes made.
    const b = await lstat(join(upper, 'b'));
    assert.equal(b.mode & 0o7777, 0o750);
    assert.equal(Math.floor(b.mtimeMs / 1000), OLD);
    const archived = await proc.run('tar', [
      '-c',
      '--xattrs',
      '--xattrs-include=*',
      '-f',
      '-',
      '-C',
      upper,
      'a',
    ]);
    assert.match(archived.stdout, /SCHILY\.xattr\.trusted\.overlay\.opaque=y/);

    await proc.run('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${upper}:${lower}`, merged]);
    try {
      assert.equal(await exists(join(merged, 'a/keep')), true);
      assert.equal(await exists(join(merged, 'a/old')), false, 'opaque dir hides the lower a/old');
      assert.equal(await exists(join(merged, 'gone')), false);
      assert.equal(await exists(join(merged, 'b/x')), false);
      assert.equal(await exists(join(merged, 'b/y')), true);
    } finally {
      await proc.run('umount', [merged]);
    }
  }));

test('a layer without markers is left alone', () =>
  withTempDir('whiteout', async (dir) => {
    await extractTar(tarArchive([{ name: 'f', type: 'file', data: 'x' }]), dir);
    const scan = await convertWhiteouts(dir);
    assert.deepEqual(scan, { opaque: [], removed: [], markers: [] });
    assert.deepEqual(await readdir(dir), ['f']);
  }));

test('a whiteout naming .. is refused', () =>
  withTempDir('whiteout', async (dir) => {
    await writeFile(join(dir, '.wh...'), '');
    await assert.rejects(scanWhiteouts(dir), (err) => isPolisError(err, 'image.layer_invalid'));
  }));

test('a stored layer gets its whiteouts converted; the unpack tells layers with .wh. names from others', () =>
  withTempDir('whiteout', async (dir) => {
    const plain = tarArchive([
      { name: 'dir/', type: 'dir', mode: 0o755 },
      { name: 'dir/file.wh', type: 'file', data: 'no marker here' },
    ]);
    await mkdir(join(dir, 'plain'));
    const unpacked = await unpackLayer(Readable.from([plain]), join(dir, 'plain'), join(dir, 'work'));
    assert.equal(unpacked.mayHaveWhiteouts, false);
    await mkdir(join(dir, 'marked'));
    const marked = await unpackLayer(Readable.from([upperLayer()]), join(dir, 'marked'), join(dir, 'work'));
    assert.equal(marked.mayHaveWhiteouts, true);

    const store = new LayerStore(join(dir, 'root'));
    await store.init();
    const chainId = sha256Digest(upperLayer());
    await store.ensure(chainId, async () => ({
      stream: Readable.from([upperLayer()]),
      done: Promise.resolve(),
    }));
    const diff = store.diffDir(chainId);
    assert.ok((await lstat(join(diff, 'gone'))).isCharacterDevice(), 'gone became an overlay whiteout');
    assert.equal(await exists(join(diff, '.wh.gone')), false);
  }));
