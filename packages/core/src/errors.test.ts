import { test } from 'node:test';
import assert from 'node:assert/strict';
import { httpStatus, isNoSpace, kindFromStatus, noSpace, PolisError, toPolisError } from './errors.js';

test('a full disk, met as ENOSPC, EDQUOT or SQLITE_FULL at any depth of causes, is no_space (507)', () => {
  const sqlite = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
  const wrapped = new PolisError('store.failed', 'saving container', { cause: sqlite });
  const errno = Object.assign(new Error('write failed'), { code: 'ENOSPC' });
  for (const err of [sqlite, wrapped, errno, { code: 'EDQUOT' }]) {
    assert.equal(isNoSpace(err), true);
    const e = toPolisError(err);
    assert.equal(e.code, 'no_space');
    assert.equal(e.message, 'no space left on the data root');
    assert.equal(httpStatus[e.kind], 507);
  }
  assert.equal(
    isNoSpace(new PolisError('store.failed', 'locked', { cause: { code: 'SQLITE_BUSY' } })),
    false,
  );
  assert.equal(toPolisError(new Error('x')).code, 'internal');
  const once = noSpace(errno);
  assert.equal(noSpace(once), once);
  assert.equal(kindFromStatus(507), 'insufficient_storage');
});
