import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hostCapacity, parseCpuList, parseMemTotal } from './host-capacity.js';
import { formatCpuList } from './cpu-list.js';

const MEMINFO = 'MemTotal:        3987652 kB\nMemFree:          123456 kB\nMemAvailable:    2000000 kB\n';

describe('host capacity', () => {
  it('parses the kernel cpu list format and writes it back', () => {
    assert.deepEqual(parseCpuList('0-3,6,8-9\n'), [0, 1, 2, 3, 6, 8, 9]);
    assert.deepEqual(parseCpuList('0\n'), [0]);
    assert.throws(() => parseCpuList('0-x'), { code: 'request.invalid' });
    assert.equal(formatCpuList([9, 8, 6, 0, 1, 2, 3]), '0-3,6,8-9');
    assert.equal(formatCpuList([]), '');
  });

  it('reads MemTotal in bytes', () => {
    assert.equal(parseMemTotal(MEMINFO), 3987652 * 1024);
    assert.throws(() => parseMemTotal('MemFree: 1 kB\n'), { code: 'request.invalid' });
  });

  it('keeps headroom for the system, taking it from the lowest CPUs', () => {
    const files: Record<string, string> = {
      '/sys/devices/system/cpu/online': '0-3\n',
      '/proc/meminfo': MEMINFO,
    };
    const read = (p: string): string => files[p] as string;
    assert.deepEqual(hostCapacity({ readText: read }), {
      cpus: 4,
      memoryBytes: 3987652 * 1024,
      cpuIds: [0, 1, 2, 3],
    });
    assert.deepEqual(hostCapacity({ readText: read, headroomCpus: 0.5, headroomMemoryBytes: 1024 ** 3 }), {
      cpus: 3.5,
      memoryBytes: 3987652 * 1024 - 1024 ** 3,
      cpuIds: [1, 2, 3],
    });
  });

  it('falls back to node when the cpu list cannot be read', () => {
    const c = hostCapacity({
      readText: (p) => {
        if (p === '/proc/meminfo') return MEMINFO;
        throw new Error('ENOENT');
      },
    });
    assert.ok(c.cpus >= 1 && c.cpuIds?.length === c.cpus);
  });

  it('reads this host', (t) => {
    const c = hostCapacity();
    t.diagnostic(`cpus ${c.cpus} (${formatCpuList(c.cpuIds ?? [])}), memory ${c.memoryBytes} bytes`);
    assert.ok(c.cpus >= 1 && c.memoryBytes > 0);
  });
});
