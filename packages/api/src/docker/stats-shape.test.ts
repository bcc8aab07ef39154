import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StatsSample } from '@polis/monitor';
import { dockerStats } from './stats-shape.js';

const sample: StatsSample = {
  readAt: Date.UTC(2026, 0, 2, 3, 4, 5, 678) + 0.5,
  cgroupVersion: 1,
  cpu: {
    totalNs: 5,
    perCpuNs: [2, 3],
    userNs: 1,
    systemNs: 4,
    throttling: { periods: 1, throttledPeriods: 0, throttledTimeNs: 0 },
  },
  systemCpuNs: 100,
  onlineCpus: 2,
  memory: { usage: 10, stats: { cache: 1 } },
  blkio: { serviceBytes: [], serviced: [] },
  pids: { current: 1 },
  networks: {},
};

describe('dockerStats', () => {
  it('is Docker’s empty object for a container with no reading', () => {
    const s = dockerStats({ id: 'abc', name: 'web' }, undefined, undefined, 1000);
    assert.equal(s.read, '0001-01-01T00:00:00Z');
    assert.equal(s.name, '/web');
    assert.deepEqual(s.memory_stats, {});
    assert.deepEqual((s.cpu_stats as { cpu_usage: unknown }).cpu_usage, {
      total_usage: 0,
      usage_in_kernelmode: 0,
      usage_in_usermode: 0,
    });
  });

  it('reports an unlimited (or larger) memory limit as the host’s memory, as dockerd does', () => {
    const s = dockerStats({ id: 'abc', name: 'web' }, sample, undefined, 4096);
    assert.equal((s.memory_stats as { limit: number }).limit, 4096);
    const limited = dockerStats(
      { id: 'a', name: 'w' },
      { ...sample, memory: { ...sample.memory, limit: 512 } },
      undefined,
      4096,
    );
    assert.equal((limited.memory_stats as { limit: number }).limit, 512);
    assert.equal(s.read, '2026-01-02T03:04:05.678500000Z');
    assert.equal(s.networks, undefined, 'no interface but lo: no networks, as docker omits it');
    assert.deepEqual(
      (s.cpu_stats as { cpu_usage: { percpu_usage: number[] } }).cpu_usage.percpu_usage,
      [2, 3],
    );
  });
});
