import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseGoDuration } from './duration.js';

test("Go's durations in milliseconds: units, sums, fractions, signs; malformed ones undefined", () => {
  assert.equal(parseGoDuration('1h30m'), 90 * 60_000);
  assert.equal(parseGoDuration('1.5s'), 1500);
  assert.equal(parseGoDuration('250ms'), 250);
  assert.equal(parseGoDuration('2us'), 0.002);
  assert.equal(parseGoDuration('3µs'), parseGoDuration('3μs'));
  assert.equal(parseGoDuration('1000000ns'), 1);
  assert.equal(parseGoDuration('.5m'), 30_000);
  assert.equal(parseGoDuration('-2m'), -120_000);
  assert.equal(parseGoDuration('0'), 0);
  for (const bad of ['', '10', 's', '1x', '1h 30m', '1h-30m', '--1s'])
    assert.equal(parseGoDuration(bad), undefined, bad);
});
