import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { gzipSync } from 'node:zlib';
import { isPolisError } from '@polis/core';
import { decompress, detectCompression, looksLikeTar, peek } from './stream.js';
import { tarArchive } from '../tar/writer.js';

test('compression is told by magic bytes', () => {
  assert.equal(detectCompression(gzipSync('x')), 'gzip');
  assert.equal(detectCompression(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0])), 'zstd');
  assert.equal(detectCompression(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])), 'xz');
  assert.equal(detectCompression(Buffer.from('BZh9')), 'bzip2');
  assert.equal(detectCompression(tarArchive([{ name: 'a', type: 'file' }])), 'none');
  assert.equal(detectCompression(Buffer.alloc(0)), 'none');
});

test('a tar is recognised by its ustar header or an empty archive', () => {
  assert.equal(looksLikeTar(tarArchive([{ name: 'a', type: 'file' }])), true);
  assert.equal(looksLikeTar(tarArchive([])), true);
  assert.equal(looksLikeTar(Buffer.alloc(600, 1)), false);
  assert.equal(looksLikeTar(Buffer.from('short')), false);
});

test('peek returns the head and a stream of everything', async () => {
  const { head, stream } = await peek(
    Readable.from([Buffer.from('ab'), Buffer.from('cdef'), Buffer.from('g')]),
    4,
  );
  assert.equal(head.toString(), 'abcd');
  assert.equal(await text(stream), 'abcdefg');
  const short = await peek(Readable.from([Buffer.from('xy')]), 10);
  assert.equal(short.head.toString(), 'xy');
  assert.equal(await text(short.stream), 'xy');
});

test('decompress passes plain data through and inflates gzip', async () => {
  const plain = await decompress(Readable.from([Buffer.from('plain text')]));
  assert.equal(await text(plain.stream), 'plain text');
  const gz = await decompress(Readable.from([gzipSync('zipped text')]));
  assert.equal(gz.compression, 'gzip');
  assert.equal(await text(gz.stream), 'zipped text');
});

test('a corrupt zstd stream fails with image.layer_invalid', async () => {
  const bad = await decompress(Readable.from([Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3, 4, 5])]));
  await text(bad.stream).catch(() => undefined);
  await assert.rejects(bad.done, (err) => isPolisError(err, 'image.layer_invalid'));
});

test('an input that fails midway ends the external decompressor too', async () => {
  async function* broken(): AsyncGenerator<Buffer> {
    yield Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x00]);
    await new Promise((r) => setTimeout(r, 20));
    throw new Error('client went away');
  }
  const z = await decompress(Readable.from(broken()));
  await assert.rejects(text(z.stream));
  await assert.rejects(z.done, (err) => isPolisError(err, 'image.layer_invalid'));
});
