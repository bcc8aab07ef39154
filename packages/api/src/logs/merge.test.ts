import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeByTime } from './merge.js';

const t = (s: number, ns = 0): string =>
  `${new Date(s * 1000).toISOString().slice(0, 19)}.${String(ns).padStart(9, '0')}Z`;

test('merges sorted streams into one time order, ties in source order', () => {
  const a = [
    { time: t(1), v: 'a1' },
    { time: t(3), v: 'a3' },
    { time: t(5, 1), v: 'a5' },
  ];
  const b = [
    { time: t(2), v: 'b2' },
    { time: t(3), v: 'b3' },
    { time: t(5), v: 'b5' },
  ];
  const c = [{ time: t(0, 999999999), v: 'c0' }];
  const merged = mergeByTime([a, b, [], c]);
  assert.deepEqual(
    merged.map((m) => m.entry.v),
    ['c0', 'a1', 'b2', 'a3', 'b3', 'b5', 'a5'],
  );
  assert.deepEqual(
    merged.map((m) => m.source),
    [3, 0, 1, 0, 1, 1, 0],
  );
});

test('nanosecond fractions order correctly and nothing is lost', () => {
  const streams = [0, 1, 2, 3].map((k) =>
    Array.from({ length: 50 }, (_, i) => ({ time: t(100, i * 4 + k), k })),
  );
  const merged = mergeByTime(streams);
  assert.equal(merged.length, 200);
  for (let i = 1; i < merged.length; i++) assert.ok(merged[i - 1]!.entry.time < merged[i]!.entry.time);
});

test('no sources, empty result', () => {
  assert.deepEqual(mergeByTime([]), []);
  assert.deepEqual(mergeByTime([[], []]), []);
});
