import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostNames } from './naming.js';

test('the default data root uses polis0 and table polis; others get their own names', () => {
  assert.deepEqual(hostNames('/var/lib/polis'), { table: 'polis', defaultBridge: 'polis0' });
  const a = hostNames('/tmp/a/data');
  const b = hostNames('/tmp/b/data');
  assert.notEqual(a.table, b.table);
  assert.notEqual(a.defaultBridge, b.defaultBridge);
  assert.ok(a.defaultBridge.length <= 15);
  assert.match(a.table, /^polis_[0-9a-f]{8}$/);
});
