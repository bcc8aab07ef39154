import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatsSampler } from './sampler.js';
import type { StatsSample } from './types.js';

function fakeSample(n: number): StatsSample {
  return {
    readAt: n,
    cgroupVersion: 2,
    cpu: {
      totalNs: n,
      perCpuNs: [],
      userNs: 0,
      systemNs: 0,
      throttling: { periods: 0, throttledPeriods: 0, throttledTimeNs: 0 },
    },
    systemCpuNs: n,
    onlineCpus: 1,
    memory: { usage: 0, stats: {} },
    blkio: { serviceBytes: [], serviced: [] },
    pids: { current: 1 },
    networks: {},
  };
}

describe('StatsSampler', () => {
  it('reads each container once per interval however many listen, and only while someone does', async () => {
    const reads = new Map<number, number>();
    const sampler = new StatsSampler({
      intervalMs: 20,
      pidOf: (id) => (id === 'a' ? 1 : id === 'b' ? 2 : undefined),
      read: (pid) => {
        const n = (reads.get(pid) ?? 0) + 1;
        reads.set(pid, n);
        return fakeSample(n);
      },
    });
    const seen: [number | undefined, number | undefined][] = [];
    const stopA1 = sampler.subscribe('a', (s, prev) => seen.push([s?.readAt, prev?.readAt]));
    const stopA2 = sampler.subscribe('a', () => undefined);
    const stopA3 = sampler.subscribe('a', () => undefined);
    assert.deepEqual(seen, [[1, undefined]]);
    await new Promise((r) => setTimeout(r, 110));
    const ticks = sampler.ticks;
    assert.ok(ticks >= 2);
    // One read at subscription, then one per tick, for three listeners.
    assert.equal(reads.get(1), ticks + 1);
    // Each delivery carries the one before it.
    assert.deepEqual(seen[1], [2, 1]);
    stopA1();
    stopA2();
    stopA3();
    assert.equal(sampler.size, 0);
    const after = reads.get(1);
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(reads.get(1), after, 'nobody listens: nothing is read');
    sampler.close();
  });

  it('delivers nothing but "no reading" for a container that is not running', () => {
    const sampler = new StatsSampler({ pidOf: () => undefined, read: () => fakeSample(1) });
    let got: unknown = 'unset';
    const stop = sampler.subscribe('x', (s) => (got = s));
    assert.equal(got, undefined);
    stop();
    sampler.close();
  });
});
