import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { isPolisError } from '@polis/core';
import { readJson } from './body.js';

const req = (...chunks: string[]): IncomingMessage =>
  Readable.from(chunks.map((c) => Buffer.from(c))) as IncomingMessage;

test('reads JSON bodies; empty is undefined', async () => {
  assert.deepEqual(await readJson(req('{"a":', '1}')), { a: 1 });
  assert.equal(await readJson(req('  ')), undefined);
});

test('invalid JSON and oversized bodies are 400s', async () => {
  await assert.rejects(
    readJson(req('{nope')),
    (e) => isPolisError(e, 'request.invalid_json') && /^invalid JSON/.test((e as Error).message),
  );
  await assert.rejects(
    readJson(req('[1,2,3,4,5,6]'), 4),
    (e) => isPolisError(e, 'request.invalid') && /too large/.test((e as Error).message),
  );
});
