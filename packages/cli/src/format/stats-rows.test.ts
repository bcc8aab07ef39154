import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerStats } from '@polis/sdk/engine';
import { bytesSize, cpuPercent, memoryUsed, statsRow, totals } from './stats-rows.js';

function stats(over: Partial<ContainerStats> = {}): ContainerStats {
  const cpu = (total: number, system: number) => ({
    cpu_usage: { total_usage: total, usage_in_kernelmode: 0, usage_in_usermode: 0 },
    system_cpu_usage: system,
    online_cpus: 2,
    throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
  });
  return {
    read: '',
    preread: '',
    id: '0123456789abcdef0123',
    name: '/web',
    pids_stats: { current: 3 },
    blkio_stats: {
      io_service_bytes_recursive: [
        { major: 8, minor: 0, op: 'Read', value: 2000 },
        { major: 8, minor: 0, op: 'write', value: 500 },
      ],
      io_serviced_recursive: null,
    },
    cpu_stats: cpu(3e9, 20e9),
    precpu_stats: cpu(2e9, 18e9),
    memory_stats: {
      usage: 60 * 1024 * 1024,
      limit: 256 * 1024 * 1024,
      stats: { total_inactive_file: 10 * 1024 * 1024 },
    },
    networks: {
      eth0: { rx_bytes: 1500, tx_bytes: 700 } as never,
      eth1: { rx_bytes: 500, tx_bytes: 300 } as never,
    },
    ...over,
  };
}

describe('stats rows', () => {
  it('computes CPU % as docker does: the container’s share of the host’s time, times the CPUs', () => {
    // 1 s of CPU over 2 s of host time on 2 CPUs: one CPU busy = 100 %.
    assert.equal(cpuPercent(stats()), 100);
    assert.equal(cpuPercent(stats({ precpu_stats: stats().cpu_stats })), 0);
  });

  it('leaves the reclaimable page cache out of memory usage (v1 and v2 keys)', () => {
    assert.equal(memoryUsed(stats()), 50 * 1024 * 1024);
    assert.equal(memoryUsed(stats({ memory_stats: { usage: 100, stats: { inactive_file: 40 } } })), 60);
    assert.equal(memoryUsed(stats({ memory_stats: { usage: 100, stats: { inactive_file: 400 } } })), 100);
  });

  it('sums networks and block I/O, and formats like docker', () => {
    const t = totals(stats());
    assert.deepEqual([t.netRx, t.netTx, t.blkRead, t.blkWrite, t.pids], [2000, 1000, 2000, 500, 3]);
    assert.equal(bytesSize(1409286), '1.344MiB');
    assert.equal(bytesSize(256 * 1024 * 1024), '256MiB');
    const row = JSON.parse(JSON.stringify(statsRow(stats(), 'web', false))) as Record<string, string>;
    assert.deepEqual(row, {
      BlockIO: '2kB / 500B',
      CPUPerc: '100.00%',
      Container: 'web',
      ID: '0123456789ab',
      MemPerc: '19.53%',
      MemUsage: '50MiB / 256MiB',
      Name: 'web',
      NetIO: '2kB / 1kB',
      PIDs: '3',
    });
  });
});
