import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseProcCgroup } from './cgroup-paths.js';
import { parseNetDev, parseProcStat } from './host.js';
import { OpenFiles } from './files.js';
import { readSample } from './sample.js';
import { parseBlkioV1 } from './v1.js';
import { parseIoStat } from './v2.js';

const NET_DEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:     100       2    0    0    0     0          0         0      100       2    0    0    0     0       0          0
  eth0:    1500      12    1    2    0     0          0         0      700       7    3    4    0     0       0          0
`;

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'polis-stats-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('stats readers', () => {
  const roots: string[] = [];
  after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

  it('parses /proc/PID/cgroup on v1, hybrid and v2 hosts', () => {
    const p = parseProcCgroup('4:memory:/polis/abc\n3:cpu,cpuacct:/polis/abc\n0::/polis/abc\n');
    assert.equal(p.v1.get('memory'), '/polis/abc');
    assert.equal(p.v1.get('cpuacct'), '/polis/abc');
    assert.equal(p.unified, '/polis/abc');
    assert.deepEqual([...parseProcCgroup('0::/system.slice/x.scope\n').v1], []);
  });

  it('parses blkio (v1), io.stat (v2), /proc/stat and net/dev', () => {
    assert.deepEqual(parseBlkioV1('8:0 Read 4096\n8:0 Write 512\nTotal 4608\n'), [
      { major: 8, minor: 0, op: 'Read', value: 4096 },
      { major: 8, minor: 0, op: 'Write', value: 512 },
    ]);
    const io = parseIoStat('254:0 rbytes=10 wbytes=20 rios=1 wios=2 dbytes=0 dios=0\n');
    assert.deepEqual(
      io.serviceBytes.map((e) => [e.op, e.value]),
      [
        ['read', 10],
        ['write', 20],
      ],
    );
    assert.deepEqual(
      io.serviced.map((e) => [e.op, e.value]),
      [
        ['read', 1],
        ['write', 2],
      ],
    );
    const stat = parseProcStat(
      'cpu  100 1 50 1000 10 0 5 2 0 0\ncpu0 50 0 25 500 5 0 2 1 0 0\ncpu1 50 1 25 500 5 0 3 1 0 0\nintr 1\n',
    );
    assert.equal(stat.systemCpuNs, (100 + 1 + 50 + 1000 + 10 + 0 + 5) * 1e7);
    assert.equal(stat.onlineCpus, 2);
    const net = parseNetDev(NET_DEV);
    assert.deepEqual(Object.keys(net), ['eth0']);
    assert.equal(net.eth0?.rxBytes, 1500);
    assert.equal(net.eth0?.txDropped, 4);
  });

  it('reads a v2 container from its cgroup files', () => {
    const root = tree({
      'proc/42/cgroup': '0::/polis/c1\n',
      'proc/42/net/dev': NET_DEV,
      'cg/cgroup.controllers': 'cpu memory io pids\n',
      'cg/polis/c1/cpu.stat':
        'usage_usec 2000\nuser_usec 1500\nsystem_usec 500\nnr_periods 10\nnr_throttled 3\nthrottled_usec 70\n',
      'cg/polis/c1/memory.current': '52428800\n',
      'cg/polis/c1/memory.max': '268435456\n',
      'cg/polis/c1/memory.stat': 'anon 1000\ninactive_file 4096\n',
      'cg/polis/c1/io.stat': '254:0 rbytes=10 wbytes=20 rios=1 wios=2\n',
      'cg/polis/c1/pids.current': '3\n',
      'cg/polis/c1/pids.max': 'max\n',
    });
    roots.push(root);
    const s = readSample(42, { roots: { cgroupRoot: join(root, 'cg'), procRoot: join(root, 'proc') } });
    assert.ok(s);
    assert.equal(s.cgroupVersion, 2);
    assert.equal(s.cpu.totalNs, 2_000_000);
    assert.equal(s.cpu.userNs, 1_500_000);
    assert.deepEqual(s.cpu.throttling, { periods: 10, throttledPeriods: 3, throttledTimeNs: 70_000 });
    assert.equal(s.memory.usage, 52428800);
    assert.equal(s.memory.limit, 268435456);
    assert.equal(s.memory.stats.inactive_file, 4096);
    assert.deepEqual(s.pids, { current: 3 });
    assert.equal(s.blkio.serviceBytes.length, 2);
    assert.equal(s.networks.eth0?.txBytes, 700);
  });

  it('reads a v1 container, treating the v1 "no limit" value as none', () => {
    const root = tree({
      'proc/7/cgroup':
        '4:memory:/polis/c2\n3:cpuacct:/polis/c2\n2:cpu:/polis/c2\n5:pids:/polis/c2\n6:blkio:/polis/c2\n',
      'proc/7/net/dev': NET_DEV,
      'cg/memory/polis/c2/memory.usage_in_bytes': '1048576\n',
      'cg/memory/polis/c2/memory.max_usage_in_bytes': '2097152\n',
      'cg/memory/polis/c2/memory.limit_in_bytes': '9223372036854771712\n',
      'cg/memory/polis/c2/memory.failcnt': '0\n',
      'cg/memory/polis/c2/memory.stat': 'cache 0\ntotal_inactive_file 8192\n',
      'cg/cpuacct/polis/c2/cpuacct.usage': '123456789\n',
      'cg/cpuacct/polis/c2/cpuacct.usage_percpu': '100000000 23456789 \n',
      'cg/cpuacct/polis/c2/cpuacct.stat': 'user 7\nsystem 3\n',
      'cg/cpu/polis/c2/cpu.stat': 'nr_periods 5\nnr_throttled 1\nthrottled_time 999\n',
      'cg/pids/polis/c2/pids.current': '2\n',
      'cg/pids/polis/c2/pids.max': '20\n',
      'cg/blkio/polis/c2/blkio.throttle.io_service_bytes_recursive': '8:0 Read 4096\nTotal 4096\n',
      'cg/blkio/polis/c2/blkio.throttle.io_serviced_recursive': '8:0 Read 1\nTotal 1\n',
    });
    roots.push(root);
    const s = readSample(7, { roots: { cgroupRoot: join(root, 'cg'), procRoot: join(root, 'proc') } });
    assert.ok(s);
    assert.equal(s.cgroupVersion, 1);
    assert.equal(s.cpu.totalNs, 123456789);
    assert.deepEqual(s.cpu.perCpuNs, [100000000, 23456789]);
    assert.equal(s.cpu.userNs, 7e7);
    assert.equal(s.cpu.throttling.throttledTimeNs, 999);
    assert.equal(s.memory.limit, undefined);
    assert.equal(s.memory.maxUsage, 2097152);
    assert.deepEqual(s.pids, { current: 2, limit: 20 });
    assert.deepEqual(s.blkio.serviced, [{ major: 8, minor: 0, op: 'Read', value: 1 }]);
  });

  it('gives nothing for a process that is gone', () => {
    assert.equal(
      readSample(999999999, { roots: { cgroupRoot: '/nonexistent', procRoot: '/nonexistent' } }),
      undefined,
    );
  });
});

describe('OpenFiles', () => {
  it('reads a kept-open file afresh each time and forgets files that are gone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'polis-openfiles-'));
    try {
      const files = new OpenFiles();
      const path = join(dir, 'memory.current');
      writeFileSync(path, '100\n');
      assert.equal(files.text(path), '100\n');
      writeFileSync(path, '200000\n');
      assert.equal(files.text(path), '200000\n');
      assert.equal(files.size, 1);
      assert.equal(files.text(join(dir, 'missing')), undefined);
      assert.equal(files.size, 1);
      files.close();
      assert.equal(files.size, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
