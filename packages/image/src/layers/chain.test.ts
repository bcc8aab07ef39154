import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chainIds } from './chain.js';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const C = `sha256:${'c'.repeat(64)}`;

test('the bottom chain id is the diff id', () => {
  assert.deepEqual(chainIds([A]), [A]);
  assert.deepEqual(chainIds([]), []);
});

test('each next chain id hashes "<parent chain id> <diff id>"', () => {
  const ab = 'sha256:' + createHash('sha256').update(`${A} ${B}`).digest('hex');
  const abc = 'sha256:' + createHash('sha256').update(`${ab} ${C}`).digest('hex');
  assert.deepEqual(chainIds([A, B, C]), [A, ab, abc]);
  // Order matters: the same layers in another order make another chain.
  assert.notEqual(chainIds([B, A])[1], ab);
});
