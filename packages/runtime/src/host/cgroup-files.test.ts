import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cgroupDirsFor, cgroupsPathFor, hierarchyPath, parseCgroupFile } from './cgroup-paths.js';
import { OomCounts, oomKillCount } from './cgroup-oom.js';
import { blkioToIoWeight, sharesToWeight, writeResources } from './cgroup-write.js';

const tmp = mkdtempSync(join(tmpdir(), 'polis-cgroup-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A generated cgroup tree: `files` are created empty under `root/<dir>`. */
function tree(name: string, files: Record<string, string[]>): string {
  const root = join(tmp, name);
  for (const [dir, names] of Object.entries(files)) {
    mkdirSync(join(root, dir), { recursive: true });
    for (const f of names) writeFileSync(join(root, dir, f), '');
  }
  return root;
}

const read = (root: string, path: string): string => readFileSync(join(root, path), 'utf8');

describe('cgroup v2 files (generated tree)', () => {
  const cg = 'polis/abc';
  const root = tree('v2', {
    '.': ['cgroup.controllers'],
    [cg]: [
      'memory.max',
      'memory.low',
      'memory.swap.max',
      'memory.events',
      'cpu.max',
      'cpu.weight',
      'cpuset.cpus',
      'cpuset.mems',
      'pids.max',
      'io.weight',
      'io.max',
    ],
  });
  const dirs = parseCgroupFile(`0::/${cg}\n`, root);

  it('finds the unified directory from /proc/PID/cgroup', () => {
    assert.deepEqual(dirs, { v1: {}, v2: join(root, cg), unified: true });
  });

  it('writes memory.max, memory.swap.max (swap alone), memory.low, cpu.max, cpu.weight, cpuset, pids.max, io', async () => {
    await writeResources(dirs, {
      memory: { limit: 64 << 20, swap: 128 << 20, reservation: 32 << 20 },
      cpu: { quota: 50_000, period: 100_000, shares: 512, cpus: '1', mems: '0' },
      pids: { limit: 20 },
      blockIO: {
        weight: 300,
        throttleReadBpsDevice: [{ major: 254, minor: 0, rate: 1048576 }],
        throttleWriteIOPSDevice: [{ major: 254, minor: 0, rate: 100 }],
      },
    });
    assert.equal(read(root, `${cg}/memory.max`), String(64 << 20));
    assert.equal(read(root, `${cg}/memory.swap.max`), String(64 << 20));
    assert.equal(read(root, `${cg}/memory.low`), String(32 << 20));
    assert.equal(read(root, `${cg}/cpu.max`), '50000 100000');
    assert.equal(read(root, `${cg}/cpu.weight`), String(sharesToWeight(512)));
    assert.equal(read(root, `${cg}/cpuset.cpus`), '1');
    assert.equal(read(root, `${cg}/cpuset.mems`), '0');
    assert.equal(read(root, `${cg}/pids.max`), '20');
    assert.equal(read(root, `${cg}/io.weight`), `default ${blkioToIoWeight(300)}`);
    assert.equal(read(root, `${cg}/io.max`), '254:0 rbps=1048576 wiops=100');
  });

  it('unlimited is "max": swap -1, no quota, pids -1', async () => {
    await writeResources(dirs, {
      memory: { limit: 64 << 20, swap: -1 },
      cpu: { period: 100_000 },
      pids: { limit: -1 },
    });
    assert.equal(read(root, `${cg}/memory.swap.max`), 'max');
    assert.equal(read(root, `${cg}/cpu.max`), 'max 100000');
    assert.equal(read(root, `${cg}/pids.max`), 'max');
  });

  it('converts shares and blkio weights as crun does', () => {
    assert.equal(sharesToWeight(1024), 39);
    assert.equal(sharesToWeight(2), 1);
    assert.equal(sharesToWeight(262144), 10000);
    assert.equal(blkioToIoWeight(10), 1);
    assert.equal(blkioToIoWeight(1000), 10000);
  });

  it('counts OOM kills from memory.events', async () => {
    writeFileSync(
      join(root, cg, 'memory.events'),
      'low 0\nhigh 0\nmax 3\noom 1\noom_kill 2\noom_group_kill 0\n',
    );
    assert.equal(await oomKillCount(dirs), 2);
  });

  it("keeps each container's OOM file open for the watcher and reads it again each time", () => {
    const file = join(root, cg, 'memory.events');
    writeFileSync(file, 'oom 1\noom_kill 2\n');
    const counts = new OomCounts();
    assert.equal(counts.count('c1', dirs), 2);
    writeFileSync(file, 'oom 4\noom_kill 5\n');
    assert.equal(counts.count('c1', dirs), 5, 'the same descriptor sees the new content');
    assert.deepEqual(counts.ids(), ['c1']);
    counts.drop('c1');
    assert.deepEqual(counts.ids(), []);
    assert.equal(counts.count('gone', { ...dirs, v2: join(root, 'nope') }), 0);
  });
});

describe('cgroup v1 and hybrid files (generated tree)', () => {
  const cg = 'polis/abc';
  const root = tree('v1', {
    [`memory/${cg}`]: [
      'memory.limit_in_bytes',
      'memory.memsw.limit_in_bytes',
      'memory.soft_limit_in_bytes',
      'memory.swappiness',
      'memory.oom_control',
    ],
    [`cpu,cpuacct/${cg}`]: ['cpu.shares', 'cpu.cfs_period_us', 'cpu.cfs_quota_us'],
    [`cpuset/${cg}`]: ['cpuset.cpus', 'cpuset.mems'],
    [`pids/${cg}`]: ['pids.max'],
    [`blkio/${cg}`]: ['blkio.bfq.weight', 'blkio.throttle.read_bps_device'],
    [`unified/${cg}`]: ['cgroup.procs'],
  });
  const dirs = parseCgroupFile(
    [
      `12:pids:/${cg}`,
      `8:memory:/${cg}`,
      `5:cpu,cpuacct:/${cg}`,
      `4:cpuset:/${cg}`,
      `3:blkio:/${cg}`,
      '1:name=systemd:/',
      `0::/${cg}`,
    ].join('\n'),
    root,
  );

  it('maps each controller to its hierarchy (co-mounted ones too) and keeps the unified one', () => {
    assert.equal(dirs.v1.memory, join(root, 'memory', cg));
    assert.equal(dirs.v1.cpu, join(root, 'cpu,cpuacct', cg));
    assert.equal(dirs.v1.cpuacct, join(root, 'cpu,cpuacct', cg));
    assert.equal(dirs.v2, join(root, 'unified', cg));
    assert.equal(dirs.unified, false);
    assert.equal(dirs.v1['name=systemd'], undefined);
  });

  it('writes the v1 files, the bfq weight where blkio.weight is absent', async () => {
    await writeResources(dirs, {
      memory: {
        limit: 64 << 20,
        swap: 128 << 20,
        reservation: 32 << 20,
        swappiness: 10,
        disableOOMKiller: true,
      },
      cpu: { shares: 512, period: 100_000, quota: 50_000, cpus: '0-1', mems: '0' },
      pids: { limit: 20 },
      blockIO: { weight: 300, throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 4096 }] },
    });
    assert.equal(read(root, `memory/${cg}/memory.limit_in_bytes`), String(64 << 20));
    assert.equal(read(root, `memory/${cg}/memory.memsw.limit_in_bytes`), String(128 << 20));
    assert.equal(read(root, `memory/${cg}/memory.soft_limit_in_bytes`), String(32 << 20));
    assert.equal(read(root, `memory/${cg}/memory.swappiness`), '10');
    assert.equal(read(root, `memory/${cg}/memory.oom_control`), '1');
    assert.equal(read(root, `cpu,cpuacct/${cg}/cpu.cfs_quota_us`), '50000');
    assert.equal(read(root, `cpu,cpuacct/${cg}/cpu.shares`), '512');
    assert.equal(read(root, `cpuset/${cg}/cpuset.cpus`), '0-1');
    assert.equal(read(root, `pids/${cg}/pids.max`), '20');
    assert.equal(read(root, `blkio/${cg}/blkio.bfq.weight`), '300');
    assert.equal(read(root, `blkio/${cg}/blkio.throttle.read_bps_device`), '8:0 4096');
  });

  it('lifting swap where the host has no swap accounting writes only the memory limit', async () => {
    const noSwap = tree('v1-noswap', { [`memory/${cg}`]: ['memory.limit_in_bytes'] });
    const d = parseCgroupFile(`8:memory:/${cg}`, noSwap);
    await writeResources(d, { memory: { limit: 32 << 20, swap: -1 } });
    assert.equal(read(noSwap, `memory/${cg}/memory.limit_in_bytes`), String(32 << 20));
    await assert.rejects(writeResources(d, { memory: { limit: 32 << 20, swap: 64 << 20 } }), /memsw/);
  });

  it('a file the host lacks is an error naming it, not a silent no-op', async () => {
    await assert.rejects(writeResources(dirs, { cpu: { realtimeRuntime: 1000 } }), /cpu\.rt_runtime_us/);
  });

  it('counts OOM kills from memory.oom_control', async () => {
    writeFileSync(
      join(root, 'memory', cg, 'memory.oom_control'),
      'oom_kill_disable 0\nunder_oom 0\noom_kill 1\n',
    );
    assert.equal(await oomKillCount(dirs), 1);
  });
});

describe('cgroupsPath', () => {
  it('cgroupfs: under /polis, or the parent asked for (relative ones from the root)', () => {
    assert.equal(cgroupsPathFor('abc', 'cgroupfs'), '/polis/abc');
    assert.equal(cgroupsPathFor('abc', 'cgroupfs', 'mine'), '/mine/abc');
    assert.equal(cgroupsPathFor('abc', 'cgroupfs', '/a/b/'), '/a/b/abc');
  });

  it('systemd: slice:prefix:name, a scope under the (nested) slice', () => {
    assert.equal(cgroupsPathFor('abc', 'systemd'), 'system.slice:polis:abc');
    assert.equal(cgroupsPathFor('abc', 'systemd', 'my.slice'), 'my.slice:polis:abc');
    assert.equal(hierarchyPath('system.slice:polis:abc', 'systemd'), '/system.slice/polis-abc.scope');
    assert.equal(hierarchyPath('a-b.slice:polis:abc', 'systemd'), '/a.slice/a-b.slice/polis-abc.scope');
    assert.equal(hierarchyPath('/polis/abc', 'cgroupfs'), '/polis/abc');
  });

  it("finds a stopped container's cgroups from its path (v1 hierarchies and v2)", () => {
    const v1 = tree('bypath-v1', {
      memory: ['cgroup.procs'],
      pids: ['cgroup.procs'],
      unified: ['cgroup.procs'],
    });
    const dirs = cgroupDirsFor('system.slice:polis:abc', 'systemd', v1);
    assert.equal(dirs.v1.memory, join(v1, 'memory/system.slice/polis-abc.scope'));
    assert.equal(dirs.v2, join(v1, 'unified/system.slice/polis-abc.scope'));
    const v2 = tree('bypath-v2', { '.': ['cgroup.controllers'] });
    assert.deepEqual(cgroupDirsFor('/polis/abc', 'cgroupfs', v2), {
      v1: {},
      v2: join(v2, 'polis/abc'),
      unified: true,
    });
  });
});
