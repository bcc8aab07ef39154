import { test } from 'node:test';
import assert from 'node:assert/strict';
import { entrySeconds, normaliseTime, parseLine, splitLines } from './k8s-file.js';

test('full and partial lines', () => {
  const full = parseLine('2026-11-27T00:31:44.123456789+00:00 stdout F hello world');
  assert.equal(full?.stream, 'stdout');
  assert.equal(full?.data.toString(), 'hello world\n');
  assert.equal(full?.time, '2026-11-27T00:31:44.123456789Z');
  const partial = parseLine('2026-11-27T00:31:44.1+00:00 stderr P no newline');
  assert.equal(partial?.stream, 'stderr');
  assert.equal(partial?.data.toString(), 'no newline');
  assert.equal(parseLine('2026-11-27T00:31:44Z stdout F ')?.data.toString(), '\n');
  assert.equal(parseLine('garbage'), undefined);
});

test('times are normalised to UTC with nanoseconds', () => {
  assert.equal(normaliseTime('2026-11-27T02:00:00.5+02:00'), '2026-11-27T00:00:00.500000000Z');
  const e = parseLine('2026-11-27T00:00:01.250000000Z stdout F x');
  assert.ok(e);
  assert.equal(entrySeconds(e), Date.parse('2026-11-27T00:00:01Z') / 1000 + 0.25);
});

test('splitLines keeps the unfinished remainder', () => {
  assert.deepEqual(splitLines('a\nb\nc'), { lines: ['a', 'b'], rest: 'c' });
  assert.deepEqual(splitLines('a\n'), { lines: ['a'], rest: '' });
});

test('partial entries join the entry that ends their line, per stream', async () => {
  const { joinPartials } = await import('./reader.js');
  const lines = [
    '2026-11-27T00:00:01Z stdout P abc',
    '2026-11-27T00:00:01Z stderr F err',
    '2026-11-27T00:00:02Z stdout F def',
    '2026-11-27T00:00:03Z stdout P tail',
  ];
  const joined = joinPartials(lines.map((l) => parseLine(l)).filter((e) => e !== undefined));
  assert.deepEqual(
    joined.map((e) => `${e.stream}:${e.data.toString()}`),
    ['stderr:err\n', 'stdout:abcdef\n', 'stdout:tail'],
  );
});
