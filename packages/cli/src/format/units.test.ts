import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiTimestamp, formatG, humanDuration, humanSize, parseGoDuration, since } from './units.js';

test('humanDuration follows go-units', () => {
  const s = 1000;
  const cases: [number, string][] = [
    [500, 'Less than a second'],
    [1 * s, '1 second'],
    [2 * s, '2 seconds'],
    [59 * s, '59 seconds'],
    [60 * s, 'About a minute'],
    [119 * s, 'About a minute'],
    [120 * s, '2 minutes'],
    [59 * 60 * s, '59 minutes'],
    [60 * 60 * s, 'About an hour'],
    [89 * 60 * s, 'About an hour'],
    [90 * 60 * s, '2 hours'],
    [47 * 3600 * s, '47 hours'],
    [48 * 3600 * s, '2 days'],
    [14 * 24 * 3600 * s, '2 weeks'],
    [60 * 24 * 3600 * s, '2 months'],
    [2 * 365 * 24 * 3600 * s, '2 years'],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, `${ms}ms`);
  assert.equal(since(1000, 1003_500), '3 seconds ago');
});

test('humanSize uses decimal units with three significant digits', () => {
  assert.equal(humanSize(0), '0B');
  assert.equal(humanSize(100), '100B');
  assert.equal(humanSize(999), '999B');
  assert.equal(humanSize(1000), '1kB');
  assert.equal(humanSize(4_261_234), '4.26MB');
  assert.equal(humanSize(1_234_567_890), '1.23GB');
  assert.equal(humanSize(15_500_000), '15.5MB');
  assert.equal(humanSize(999_999), '1e+03kB');
  assert.equal(humanSize(4_261_234, 4), '4.261MB');
});

test("formatG matches Go's %g", () => {
  assert.equal(formatG(4.2, 3), '4.2');
  assert.equal(formatG(100, 3), '100');
  assert.equal(formatG(0.0001234, 3), '0.000123');
  assert.equal(formatG(0.00001234, 3), '1.23e-05');
});

test('Go durations and --since timestamps', () => {
  assert.equal(parseGoDuration('1h30m'), 90 * 60_000);
  assert.equal(parseGoDuration('1.5s'), 1500);
  assert.equal(parseGoDuration('10'), undefined);
  const now = Date.UTC(2024, 0, 1, 12, 0, 0);
  assert.equal(apiTimestamp('10m', now), String(now / 1000 - 600));
  assert.equal(apiTimestamp('1700000000', now), '1700000000');
  assert.equal(apiTimestamp('2024-01-01T10:00:00Z', now), `${Date.UTC(2024, 0, 1, 10) / 1000}.000000000`);
  assert.equal(apiTimestamp('2024-01-01T10:00:00.5Z', now), `${Date.UTC(2024, 0, 1, 10) / 1000}.500000000`);
  assert.throws(() => apiTimestamp('yesterday', now), /failed to parse/);
});
