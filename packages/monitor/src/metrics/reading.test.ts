import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { OpenFiles } from '../stats/files.js';
import { readContainer } from './reading.js';

const NET_DEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:     100       2    0    0    0     0          0         0      100       2    0    0    0     0       0          0
  eth0:    1500      12    1    2    0     0          0         0      700       7    3    4    0     0       0          0
  eth1:      10       1    0    0    0     0          0         0       20       1    0    0    0     0       0          0
`;

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'polis-metrics-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('readContainer (the scrape reading)', () => {
  const roots: string[] = [];
  after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

  it('reads a v1 container: counters summed over interfaces and devices, no limit as none', () => {
    const root = tree({
      'proc/7/cgroup': '4:memory:/polis/c\n3:cpu,cpuacct:/polis/c\n5:pids:/polis/c\n6:blkio:/polis/c\n',
      'proc/7/net/dev': NET_DEV,
      'cg/memory/polis/c/memory.usage_in_bytes': '52428800\n',
      'cg/memory/polis/c/memory.limit_in_bytes': '9223372036854771712\n',
      'cg/cpu,cpuacct/polis/c/cpuacct.usage': '2500000000\n',
      'cg/pids/polis/c/pids.current': '4\n',
      'cg/blkio/polis/c/blkio.throttle.io_service_bytes_recursive':
        '8:0 Read 4096\n8:0 Write 512\n8:16 Read 4\nTotal 4612\n',
    });
    roots.push(root);
    const files = new OpenFiles();
    const r = readContainer(7, files, { cgroupRoot: join(root, 'cg'), procRoot: join(root, 'proc') });
    files.close();
    assert.deepEqual(r, {
      cpuNs: 2.5e9,
      memoryUsage: 52428800,
      pids: 4,
      rxBytes: 1510,
      txBytes: 720,
      readBytes: 4100,
      writeBytes: 512,
    });
  });

  it('reads a v2 container', () => {
    const root = tree({
      'proc/9/cgroup': '0::/polis/d\n',
      'proc/9/net/dev': NET_DEV,
      'cg/cgroup.controllers': 'cpu memory io pids\n',
      'cg/polis/d/cpu.stat': 'usage_usec 2000\nuser_usec 1500\n',
      'cg/polis/d/memory.current': '1000\n',
      'cg/polis/d/memory.max': '268435456\n',
      'cg/polis/d/pids.current': '2\n',
      'cg/polis/d/io.stat': '254:0 rbytes=10 wbytes=20 rios=1 wios=2\n',
    });
    roots.push(root);
    const r = readContainer(9, new OpenFiles(), {
      cgroupRoot: join(root, 'cg'),
      procRoot: join(root, 'proc'),
    });
    assert.deepEqual(r, {
      cpuNs: 2_000_000,
      memoryUsage: 1000,
      memoryLimit: 268435456,
      pids: 2,
      rxBytes: 1510,
      txBytes: 720,
      readBytes: 10,
      writeBytes: 20,
    });
    assert.equal(
      readContainer(10, new OpenFiles(), { cgroupRoot: join(root, 'cg'), procRoot: join(root, 'proc') }),
      undefined,
    );
  });
});
