import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { isPolisError } from '@polis/core';
import { sha256Digest } from '../digest.js';
import { BlobStore } from './blobs.js';

async function withStore(fn: (store: BlobStore, root: string) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'polis-blobs-'));
  try {
    const store = new BlobStore(root);
    await store.init();
    await fn(store, root);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

test('a streamed blob lands under its sha256 and reads back', () =>
  withStore(async (store, root) => {
    const parts = [Buffer.from('hello '), Buffer.from('world')];
    const info = await store.write(Readable.from(parts));
    assert.equal(info.digest, sha256Digest('hello world'));
    assert.equal(info.size, 11);
    const hex = info.digest.slice(7);
    assert.equal(await readFile(join(root, 'content/blobs/sha256', hex), 'utf8'), 'hello world');
    assert.equal(await store.has(info.digest), true);
    assert.equal((await store.readBuffer(info.digest)).toString(), 'hello world');
    assert.deepEqual(await readdir(join(root, 'content/tmp')), []);
  }));

test('an expected digest or size that does not match fails and leaves nothing behind', () =>
  withStore(async (store, root) => {
    const wrong = sha256Digest('something else');
    await assert.rejects(store.write('payload', { digest: wrong }), (err) =>
      isPolisError(err, 'image.digest_mismatch'),
    );
    await assert.rejects(store.write('payload', { digest: sha256Digest('payload'), size: 3 }), (err) =>
      isPolisError(err, 'image.digest_mismatch'),
    );
    assert.equal(await store.has(wrong), false);
    assert.equal(await store.has(sha256Digest('payload')), false);
    assert.deepEqual(await readdir(join(root, 'content/tmp')), []);
    assert.deepEqual(await readdir(join(root, 'content/blobs/sha256')), []);
    const ok = await store.write('payload', { digest: sha256Digest('payload'), size: 7 });
    assert.equal(ok.digest, sha256Digest('payload'));
  }));

test('a source that fails midway leaves no visible blob and no temp file', () =>
  withStore(async (store, root) => {
    async function* broken(): AsyncGenerator<Buffer> {
      yield Buffer.from('partial data');
      throw new Error('connection reset');
    }
    await assert.rejects(store.write(broken()), /connection reset/);
    assert.deepEqual(await readdir(join(root, 'content/blobs/sha256')), []);
    assert.deepEqual(await readdir(join(root, 'content/tmp')), []);
  }));

test('init removes stale temp files', () =>
  withStore(async (store, root) => {
    await writeFile(join(root, 'content/tmp/123-stale'), 'junk');
    await mkdir(join(root, 'content/tmp/dir'));
    await store.init();
    assert.deepEqual(await readdir(join(root, 'content/tmp')), []);
  }));

test('missing blobs are image.not_found; malformed digests are refused before touching paths', () =>
  withStore(async (store) => {
    await assert.rejects(store.readBuffer(sha256Digest('nope')), (err) =>
      isPolisError(err, 'image.not_found'),
    );
    assert.throws(
      () => store.path('sha256:../../etc/passwd'),
      (err) => isPolisError(err, 'image.reference_invalid'),
    );
    await assert.rejects(store.write('x', { digest: 'sha256:zz' }), (err) =>
      isPolisError(err, 'image.reference_invalid'),
    );
  }));
