import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HealthProbeResult, HealthState } from '@polis/core';
import { mergeHealth, probeCommand } from './config.js';
import { nextDelayMs, nextHealth } from './next.js';

const STARTED = '2026-01-01T00:00:00.000Z';
const at = (s: number, exitCode: number): HealthProbeResult => {
  const t = new Date(Date.parse(STARTED) + s * 1000).toISOString();
  return { start: t, end: t, exitCode, output: '' };
};
const starting: HealthState = { status: 'starting', failingStreak: 0, log: [] };

describe('health rules (Docker’s handleProbeResult)', () => {
  it('success makes healthy; RETRIES failures in a row make unhealthy; success again heals', () => {
    const config = { test: ['CMD', 'x'], retries: 2 };
    let s = nextHealth(starting, at(1, 0), config, STARTED);
    assert.deepEqual([s.status, s.failingStreak], ['healthy', 0]);
    s = nextHealth(s, at(2, 1), config, STARTED);
    assert.deepEqual([s.status, s.failingStreak], ['healthy', 1]);
    s = nextHealth(s, at(3, 1), config, STARTED);
    assert.deepEqual([s.status, s.failingStreak], ['unhealthy', 2]);
    s = nextHealth(s, at(4, 0), config, STARTED);
    assert.deepEqual([s.status, s.failingStreak], ['healthy', 0]);
  });

  it('failures within the start period of a starting container do not count', () => {
    const config = { test: ['CMD', 'x'], retries: 1, startPeriod: 10e9 };
    let s = nextHealth(starting, at(5, 1), config, STARTED);
    assert.deepEqual([s.status, s.failingStreak, s.log.length], ['starting', 0, 1]);
    s = nextHealth(s, at(11, 1), config, STARTED);
    assert.deepEqual([s.status, s.failingStreak], ['unhealthy', 1]);
  });

  it('keeps the last five results, and waits the start interval only while starting in the period', () => {
    let s = starting;
    for (let i = 0; i < 8; i++) s = nextHealth(s, at(i, 0), { test: ['CMD', 'x'] }, STARTED);
    assert.equal(s.log.length, 5);
    assert.equal(s.log[0]?.start, at(3, 0).start);
    const config = { test: ['CMD', 'x'], interval: 30e9, startPeriod: 60e9, startInterval: 2e9 };
    const now = Date.parse(STARTED) + 10_000;
    assert.equal(nextDelayMs(starting, config, STARTED, now), 2000);
    assert.equal(nextDelayMs({ ...starting, status: 'healthy' }, config, STARTED, now), 30_000);
    assert.equal(nextDelayMs(starting, config, STARTED, now + 60_000), 30_000);
  });

  it('merges with the image’s check field by field, and knows NONE and the two forms', () => {
    const image = { Test: ['CMD-SHELL', 'curl -f localhost'], Interval: 5e9, Retries: 4 };
    assert.deepEqual(mergeHealth({ test: [], timeout: 2e9 }, image), {
      test: ['CMD-SHELL', 'curl -f localhost'],
      interval: 5e9,
      retries: 4,
      timeout: 2e9,
    });
    assert.deepEqual(mergeHealth({ test: ['NONE'] }, image)?.test, ['NONE']);
    assert.equal(mergeHealth(undefined, undefined), undefined);
    assert.equal(probeCommand({ test: ['NONE'] }), undefined);
    assert.deepEqual(probeCommand({ test: ['CMD', 'a', 'b'] }), ['a', 'b']);
    assert.deepEqual(probeCommand({ test: ['CMD-SHELL', 'a b'] }), ['/bin/sh', '-c', 'a b']);
  });
});
