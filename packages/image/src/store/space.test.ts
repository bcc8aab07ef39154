import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { PolisError, isPolisError } from '@polis/core';
import { declaredLength, guardUpload, spaceError, spaceOf } from './space.js';

describe('data root space', () => {
  it('an ENOSPC anywhere in the cause chain is no_space, with the message users see', async () => {
    const enospc = Object.assign(new Error('write ENOSPC'), { code: 'ENOSPC' });
    const wrapped = new PolisError('store.failed', 'cannot store layer', { cause: enospc });
    const err = await spaceError(tmpdir(), wrapped);
    assert.ok(isPolisError(err, 'no_space'));
    assert.equal(err.message, 'no space left on the data root');
    assert.equal(err.kind, 'insufficient_storage');
  });

  it('a verdict on content stands, and other failures pass unchanged while there is room', async () => {
    const mismatch = new PolisError('image.digest_mismatch', 'digest mismatch');
    assert.equal(await spaceError(tmpdir(), mismatch), mismatch);
    const other = new Error('boom');
    assert.equal(await spaceError(tmpdir(), other), other);
  });

  it('an upload declared larger than the free space is refused before it is read', async () => {
    const { free } = await spaceOf(tmpdir());
    let read = false;
    const input = new Readable({
      read() {
        read = true;
        this.push(null);
      },
    });
    await assert.rejects(guardUpload(input, tmpdir(), free + 1), (e) => isPolisError(e, 'no_space'));
    assert.equal(read, false);
  });

  it('Content-Length is taken only when it is a plain number', () => {
    assert.equal(declaredLength('1024'), 1024);
    assert.equal(declaredLength(undefined), undefined);
    assert.equal(declaredLength('-1'), undefined);
    assert.equal(declaredLength('1e9'), undefined);
  });
});
