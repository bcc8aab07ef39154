import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { isPolisError, proc } from '@polis/core';
import { tarArchive } from '../tar/writer.js';
import { withTempDir } from '../testing/temp-dir.js';
import { unpackLayer } from './unpack.js';

const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** A tar of a few files, followed by `trailing` bytes after its end-of-archive blocks. */
function layerTar(trailing = 0): Buffer {
  const entries = Array.from({ length: 20 }, (_, i) => ({
    name: `d/f${i}`,
    type: 'file' as const,
    data: randomBytes(1000 * (i + 1)),
  }));
  return Buffer.concat([
    tarArchive([{ name: 'd/', type: 'dir', mode: 0o755 }, ...entries]),
    Buffer.alloc(trailing),
  ]);
}

function chunks(data: Buffer, size = 16_384): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
    })(),
  );
}

/** Descriptors open now, after one unpack has run: a pump worker kept for reuse has its own. */
async function openFds(dir: string): Promise<number> {
  await mkdir(join(dir, 'warm-up'));
  await unpackLayer(chunks(layerTar()), join(dir, 'warm-up'), join(dir, 'work'));
  return (await readdir('/proc/self/fd')).length;
}

test('the digest and size cover the whole tar, the bytes after its end-of-archive blocks too', () =>
  withTempDir('unpack', async (dir) => {
    const tar = layerTar(1 << 20);
    await mkdir(join(dir, 'out'));
    const fds = await openFds(dir);
    const got = await unpackLayer(chunks(gzipSync(tar)), join(dir, 'out'), join(dir, 'work'));
    assert.deepEqual(got, { diffId: sha256(tar), size: tar.length, mayHaveWhiteouts: false });
    assert.equal((await readdir(join(dir, 'out', 'd'))).length, 20);
    assert.equal((await readFile(join(dir, 'out', 'd', 'f3'))).length, 4000);
    assert.equal((await readdir('/proc/self/fd')).length, fds, 'no descriptor left open');
    assert.deepEqual((await readdir(dir)).sort(), ['out', 'warm-up'], 'the work dir is gone');
  }));

test('plain, gzip and zstd layers unpack to the same digest; many at once each get their own', () =>
  withTempDir('unpack', async (dir) => {
    const tars = Array.from({ length: 8 }, () => layerTar(512 * (1 + Math.floor(Math.random() * 40))));
    const zstd = async (b: Buffer): Promise<Buffer> => {
      const child = proc.start('zstd', ['-q', '-c'], { stdio: ['pipe', 'pipe', 'pipe'] });
      child.stdin?.end(b);
      const out: Buffer[] = [];
      child.stdout?.on('data', (c: Buffer) => out.push(c));
      await proc.waitFor(child, 'zstd', []);
      return Buffer.concat(out);
    };
    const results = await Promise.all(
      tars.map(async (tar, i) => {
        const blob = i % 3 === 0 ? tar : i % 3 === 1 ? gzipSync(tar) : await zstd(tar);
        const out = join(dir, `out${i}`);
        await mkdir(out);
        return unpackLayer(chunks(blob), out, join(dir, `work${i}`));
      }),
    );
    results.forEach((r, i) => {
      const tar = tars[i] as Buffer;
      assert.equal(r.diffId, sha256(tar), `layer ${i}`);
      assert.equal(r.size, tar.length, `layer ${i}`);
    });
  }));

test('a corrupt gzip stream is a layer error, and nothing is left waiting or open', () =>
  withTempDir('unpack', async (dir) => {
    const blob = gzipSync(layerTar());
    blob.fill(0x55, 200, 600);
    await mkdir(join(dir, 'out'));
    const fds = await openFds(dir);
    await assert.rejects(unpackLayer(chunks(blob), join(dir, 'out'), join(dir, 'work')), (err) =>
      isPolisError(err, 'image.layer_invalid'),
    );
    assert.equal((await readdir('/proc/self/fd')).length, fds);
  }));

test('a download that breaks off mid-way rejects with its own cause', () =>
  withTempDir('unpack', async (dir) => {
    const blob = gzipSync(layerTar());
    async function* broken(): AsyncGenerator<Buffer> {
      yield blob.subarray(0, 5000);
      throw new Error('connection reset by peer');
    }
    await mkdir(join(dir, 'out'));
    await assert.rejects(
      unpackLayer(Readable.from(broken()), join(dir, 'out'), join(dir, 'work')),
      (err) => isPolisError(err, 'image.layer_invalid') && /connection reset by peer/.test(err.message),
    );
  }));

test('a stream tar cannot read fails the unpack, and the whole stream is still read', () =>
  withTempDir('unpack', async (dir) => {
    const garbage = Buffer.concat([Buffer.from('not a tar at all'), randomBytes(256 * 1024)]);
    let read = 0;
    const input = chunks(garbage).on('data', (c: Buffer) => void (read += c.length));
    await mkdir(join(dir, 'out'));
    await assert.rejects(unpackLayer(input, join(dir, 'out'), join(dir, 'work')), (err) =>
      isPolisError(err, 'image.layer_invalid'),
    );
    assert.equal(read, garbage.length);
  }));

test('a blob on disk, gzip or plain, is read by the pipeline itself and gives the same digest', () =>
  withTempDir('unpack', async (dir) => {
    const tar = layerTar(4096);
    await writeFile(join(dir, 'layer.tar.gz'), gzipSync(tar));
    await writeFile(join(dir, 'layer.tar'), tar);
    for (const name of ['layer.tar.gz', 'layer.tar']) {
      const out = join(dir, `out-${name}`);
      await mkdir(out);
      const got = await unpackLayer({ path: join(dir, name) }, out, join(dir, 'work'));
      assert.deepEqual(got, { diffId: sha256(tar), size: tar.length, mayHaveWhiteouts: false }, name);
      assert.equal((await readdir(join(out, 'd'))).length, 20, name);
    }
    await writeFile(join(dir, 'bad.gz'), gzipSync(tar).subarray(0, 3000));
    await mkdir(join(dir, 'out-bad'));
    await assert.rejects(
      unpackLayer({ path: join(dir, 'bad.gz') }, join(dir, 'out-bad'), join(dir, 'work')),
      (err) => isPolisError(err, 'image.layer_invalid'),
    );
  }));
