import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withTempDir } from '../testing/temp-dir.js';
import { BatchedWrites } from './batched-writes.js';

test('pieces added faster than the disk takes them land whole and in order', () =>
  withTempDir('batched', async (dir) => {
    const pieces = Array.from({ length: 3000 }, (_, i) => randomBytes(1 + ((i * 7919) % 9000)));
    const file = await open(join(dir, 'out'), 'w');
    const writes = new BatchedWrites(file);
    for (const p of pieces) await writes.add(p);
    await writes.finish();
    await file.close();
    assert.deepEqual(await readFile(join(dir, 'out')), Buffer.concat(pieces));
  }));

test('a failed write is thrown by the next add or by finish', () =>
  withTempDir('batched', async (dir) => {
    await writeFile(join(dir, 'ro'), '');
    const file = await open(join(dir, 'ro'), 'r');
    const writes = new BatchedWrites(file);
    await writes.add(Buffer.from('x')).catch(() => undefined);
    await assert.rejects(writes.finish(), (err: NodeJS.ErrnoException) => err.code === 'EBADF');
    await assert.rejects(writes.add(Buffer.from('y')), (err: NodeJS.ErrnoException) => err.code === 'EBADF');
    await file.close();
  }));
