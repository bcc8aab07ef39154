import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Waiters } from './waiters.js';
import { KeyedMutex } from './lock.js';

test('exit wakes next-exit waiters; removal wakes the rest', async () => {
  const w = new Waiters();
  const next = w.add('c', 'next-exit');
  const removed = w.add('c', 'removed');
  w.exited('c', { StatusCode: 3 });
  assert.deepEqual(await next, { StatusCode: 3 });
  let done = false;
  void removed.then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(done, false);
  w.removed('c', { StatusCode: 3 });
  assert.deepEqual(await removed, { StatusCode: 3 });
});

test('the keyed mutex runs one task per key at a time', async () => {
  const m = new KeyedMutex();
  const order: string[] = [];
  const slow = m.run('k', async () => {
    await new Promise((r) => setTimeout(r, 20));
    order.push('a');
  });
  const fast = m.run('k', async () => {
    order.push('b');
  });
  const other = m.run('other', async () => {
    order.push('c');
  });
  await Promise.all([slow, fast, other]);
  assert.deepEqual(order, ['c', 'a', 'b']);
});
