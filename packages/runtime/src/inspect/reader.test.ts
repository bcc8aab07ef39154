import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCgroupLimits } from './cgroup-limits.js';
import { mountAt, parseMountinfo } from './mountinfo.js';
import { decodeCapabilities, parseProcStatus } from './proc-status.js';

test('capability masks decode to names in kernel order; unknown bits keep their number', () => {
  assert.deepEqual(decodeCapabilities('0000000000000400'), ['CAP_NET_BIND_SERVICE']);
  assert.deepEqual(decodeCapabilities('0000000000000000'), []);
  assert.deepEqual(decodeCapabilities('00000000a80425fb').slice(0, 3), [
    'CAP_CHOWN',
    'CAP_DAC_OVERRIDE',
    'CAP_FOWNER',
  ]);
  assert.deepEqual(decodeCapabilities('8000000000000000'), ['CAP_63']);
});

test('/proc/PID/status: capabilities, seccomp mode and NoNewPrivs', () => {
  const s = parseProcStatus(
    'Name:\tsleep\nCapPrm:\t0000000000000400\nCapEff:\t0000000000000400\nCapBnd:\t0000000000000401\nNoNewPrivs:\t1\nSeccomp:\t2\nSeccomp_filters:\t1\n',
  );
  assert.deepEqual(s.capEff, ['CAP_NET_BIND_SERVICE']);
  assert.deepEqual(s.capBnd, ['CAP_CHOWN', 'CAP_NET_BIND_SERVICE']);
  assert.equal(s.seccomp, 2);
  assert.equal(s.noNewPrivs, true);
});

test('mountinfo: the last mount at a path is the one in effect; escaped paths are read back', () => {
  const entries = parseMountinfo(
    [
      '485 400 0:150 / / rw,relatime - overlay overlay rw,lowerdir=x',
      '486 485 0:151 / / ro,relatime - overlay overlay rw',
      '507 486 0:6 /null /proc/keys ro,relatime - devtmpfs devtmpfs rw',
      '508 486 0:7 / /with\\040space rw - tmpfs tmpfs rw',
    ].join('\n'),
  );
  assert.deepEqual(mountAt(entries, '/')?.options, ['ro', 'relatime']);
  assert.equal(mountAt(entries, '/proc/keys')?.fsType, 'devtmpfs');
  assert.ok(mountAt(entries, '/with space'));
  assert.equal(mountAt(entries, '/proc/kcore'), undefined);
});

async function fakeHost(
  cgroup: string,
  files: Record<string, string>,
): Promise<{ root: string; proc: string }> {
  const base = await mkdtemp(join(tmpdir(), 'polis-cg-'));
  const root = join(base, 'cgroup');
  const proc = join(base, 'proc');
  await mkdir(join(proc, '42'), { recursive: true });
  await writeFile(join(proc, '42', 'cgroup'), cgroup);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return { root, proc };
}

test('cgroup limits on v1: memory, cpu (co-mounted with cpuacct) and pids hierarchies', async () => {
  const { root, proc } = await fakeHost(
    '5:pids:/polis/c1\n4:memory:/polis/c1\n2:cpu,cpuacct:/polis/c1\n0::/\n',
    {
      'memory/polis/c1/memory.limit_in_bytes': '67108864\n',
      'cpu,cpuacct/polis/c1/cpu.cfs_quota_us': '50000\n',
      'cpu,cpuacct/polis/c1/cpu.cfs_period_us': '100000\n',
      'pids/polis/c1/pids.max': '20\n',
    },
  );
  try {
    assert.deepEqual(await readCgroupLimits(42, root, proc), {
      version: 'v1',
      memoryLimit: 64 * 1024 * 1024,
      cpuQuota: 50000,
      cpuPeriod: 100000,
      pidsMax: 20,
    });
  } finally {
    await rm(join(root, '..'), { recursive: true, force: true });
  }
});

test('cgroup limits on v1 without limits: the unlimited numbers are null', async () => {
  const { root, proc } = await fakeHost('4:memory:/c\n2:cpu:/c\n1:pids:/c\n', {
    'memory/c/memory.limit_in_bytes': '9223372036854771712\n',
    'cpu/c/cpu.cfs_quota_us': '-1\n',
    'cpu/c/cpu.cfs_period_us': '100000\n',
    'pids/c/pids.max': 'max\n',
  });
  try {
    const limits = await readCgroupLimits(42, root, proc);
    assert.equal(limits.memoryLimit, null);
    assert.equal(limits.cpuQuota, null);
    assert.equal(limits.pidsMax, null);
  } finally {
    await rm(join(root, '..'), { recursive: true, force: true });
  }
});

test('cgroup limits on v2, at the root or under unified/ on a hybrid host', async () => {
  for (const prefix of ['', 'unified/']) {
    const files: Record<string, string> = {
      [`${prefix}polis/c2/memory.max`]: '33554432\n',
      [`${prefix}polis/c2/cpu.max`]: '25000 100000\n',
      [`${prefix}polis/c2/pids.max`]: 'max\n',
    };
    if (prefix === '') files['cgroup.controllers'] = 'cpu memory pids\n';
    const { root, proc } = await fakeHost('0::/polis/c2\n', files);
    try {
      assert.deepEqual(await readCgroupLimits(42, root, proc), {
        version: 'v2',
        memoryLimit: 32 * 1024 * 1024,
        cpuQuota: 25000,
        cpuPeriod: 100000,
        pidsMax: null,
      });
    } finally {
      await rm(join(root, '..'), { recursive: true, force: true });
    }
  }
});
