import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FileSink } from './file-sink.js';

test('FileSink writes every byte in order, across and below its 1 MiB batches, with the mode asked', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polis-sink-'));
  try {
    // 3.5 MiB in pieces of odd sizes, so batches end mid-piece and the last one is partial.
    const pieces = Array.from({ length: 140 }, (_, i) => randomBytes(26_000 + (i % 7) * 1_000));
    const path = join(dir, 'out');
    await pipeline(Readable.from(pieces), new FileSink(path, 0o600));
    assert.deepEqual(readFileSync(path), Buffer.concat(pieces));
    assert.equal(statSync(path).mode & 0o777, 0o600);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('FileSink writes many small pieces (more than one writev takes) in order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polis-sink-'));
  try {
    const pieces = Array.from({ length: 3_000 }, (_, i) => randomBytes(1 + (i % 13)));
    const path = join(dir, 'out');
    await pipeline(Readable.from(pieces), new FileSink(path, 0o644));
    assert.deepEqual(readFileSync(path), Buffer.concat(pieces));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('FileSink fails the pipeline when the file cannot be opened', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polis-sink-'));
  try {
    await assert.rejects(
      pipeline(Readable.from([Buffer.from('x')]), new FileSink(join(dir, 'missing', 'out'), 0o600)),
      { code: 'ENOENT' },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
