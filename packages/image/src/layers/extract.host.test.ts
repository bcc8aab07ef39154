import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { isPolisError } from '@polis/core';
import { tarArchive } from '../tar/writer.js';
import { withTempDir } from '../testing/temp-dir.js';
import { extractTar } from './extract.js';

test('an input that fails midway ends tar and rejects (no hang)', () =>
  withTempDir('extract', async (dir) => {
    const archive = tarArchive([{ name: 'big', type: 'file', data: Buffer.alloc(64 * 1024, 1) }]);
    async function* broken(): AsyncGenerator<Buffer> {
      yield archive.subarray(0, 10_000);
      throw new Error('connection reset');
    }
    await mkdir(join(dir, 'out'));
    await assert.rejects(
      extractTar(Readable.from(broken()), join(dir, 'out')),
      (err) => isPolisError(err, 'image.layer_invalid') && /connection reset/.test(err.message),
    );
  }));

test('trailing bytes after the end-of-archive blocks are read, not left in the pipe', () =>
  withTempDir('extract', async (dir) => {
    const archive = Buffer.concat([
      tarArchive([{ name: 'f', type: 'file', data: 'x' }]),
      Buffer.alloc(1 << 20),
    ]);
    let read = 0;
    async function* counted(): AsyncGenerator<Buffer> {
      for (let i = 0; i < archive.length; i += 4096) {
        const chunk = archive.subarray(i, i + 4096);
        read += chunk.length;
        yield chunk;
      }
    }
    await mkdir(join(dir, 'out'));
    await extractTar(Readable.from(counted()), join(dir, 'out'));
    assert.equal(read, archive.length);
  }));
