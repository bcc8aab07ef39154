import { test } from 'node:test';
import assert from 'node:assert/strict';
import { median, percentile, representativeIndex, summarize } from './stats.js';

test('median of odd and even counts, order-independent', () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
});

test('nearest-rank percentile', () => {
  const s = Array.from({ length: 20 }, (_, i) => i + 1);
  assert.equal(percentile(s, 90), 18);
  assert.equal(percentile(s, 100), 20);
  assert.equal(percentile(s, 0), 1);
  assert.equal(percentile([7], 90), 7);
});

test('summary of unsorted samples', () => {
  const s = summarize([30, 10, 20, 40]);
  assert.deepEqual(s, { n: 4, median: 25, p90: 40, min: 10, max: 40, mean: 25 });
});

test('no samples is an error, not NaN', () => {
  assert.throws(() => summarize([]));
  assert.throws(() => median([]));
});

test('representative run is the one nearest the median', () => {
  assert.equal(representativeIndex([100, 12, 11, 50, 10]), 1);
  assert.equal(representativeIndex([9, 30, 20]), 2);
});
