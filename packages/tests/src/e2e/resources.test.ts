import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestDaemon } from '../harness/daemon.js';
import { lines, ok } from '../harness/expect.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const MB = 1024 * 1024;

/** The host directory of a process's cgroup for a v1 controller (or the unified one), from /proc/PID/cgroup. */
function cgroupDir(pid: number, controller: string): string {
  for (const line of readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n')) {
    const [, list = '', path = ''] = line.split(':');
    if (list.split(',').includes(controller)) {
      const mount = existsSync(join('/sys/fs/cgroup', list)) ? list : controller;
      return join('/sys/fs/cgroup', mount, path);
    }
  }
  throw new Error(`no ${controller} cgroup for ${pid}`);
}

const cgroupFile = (pid: number, controller: string, file: string): string =>
  readFileSync(join(cgroupDir(pid, controller), file), 'utf8').trim();

/**
 * Resource limits on this (hybrid, cgroup v1 controllers) host: each flag lands in the kernel's
 * cgroup files of a real container and shows in its behaviour; `update` changes them live and for
 * the next start; the OOM killer's work is reported.
 */
describe('resource limits', () => {
  let d: TestDaemon;
  const pidOf = async (ref: string): Promise<number> =>
    Number(ok(await d.polis(['inspect', '-f', '{{.State.Pid}}', ref]), 'inspect pid'));
  const inspect = async (ref: string, format: string): Promise<string> =>
    ok(await d.polis(['inspect', '-f', format, ref]), `inspect ${ref}`);
  const events = async (ref: string, since: string): Promise<string[]> =>
    lines(
      ok(
        await d.polis([
          'events',
          '--since',
          since,
          '--until',
          String(Math.ceil(Date.now() / 1000) + 1),
          '--filter',
          `container=${ref}`,
          '--format',
          '{{.Action}}',
        ]),
      ),
    );
  const now = (): string => String(Math.floor(Date.now() / 1000) - 1);

  before(async () => {
    d = await TestDaemon.start();
    await d.importBusybox();
  });

  after(async () => {
    await d?.cleanup();
  });

  it('every limit flag reaches the cgroup files, the process and inspect; what the host lacks is warned', async () => {
    const res = await d.polis([
      'run',
      '-d',
      '--name',
      'limits',
      '-m',
      '64m',
      '--memory-swap',
      '128m',
      '--memory-reservation',
      '32m',
      '--memory-swappiness',
      '10',
      '--oom-score-adj',
      '200',
      '--cpu-shares',
      '512',
      '--cpu-period',
      '50000',
      '--cpu-quota',
      '25000',
      '--cpuset-cpus',
      '1',
      '--cpuset-mems',
      '0',
      '--pids-limit',
      '50',
      '--blkio-weight',
      '300',
      '--device-read-bps',
      '/dev/vda:1mb',
      '--device-write-bps',
      '/dev/vda:2mb',
      '--device-read-iops',
      '/dev/vda:100',
      '--device-write-iops',
      '/dev/vda:200',
      '--shm-size',
      '8m',
      '--ulimit',
      'nofile=1000:1000',
      'busybox',
      'sleep',
      '300',
    ]);
    ok(res, 'run -d with every limit');
    // No blkio.weight (no BFQ) on this kernel: Docker's warning, on stderr, and the weight is dropped.
    if (
      !existsSync('/sys/fs/cgroup/blkio/blkio.weight') &&
      !existsSync('/sys/fs/cgroup/blkio/blkio.bfq.weight')
    ) {
      assert.match(
        res.stderr,
        /WARNING: Your kernel does not support Block I\/O weight or the cgroup is not mounted\. Weight discarded\./,
      );
    }
    const pid = await pidOf('limits');
    assert.equal(cgroupFile(pid, 'memory', 'memory.limit_in_bytes'), String(64 * MB));
    assert.equal(cgroupFile(pid, 'memory', 'memory.memsw.limit_in_bytes'), String(128 * MB));
    assert.equal(cgroupFile(pid, 'memory', 'memory.soft_limit_in_bytes'), String(32 * MB));
    assert.equal(cgroupFile(pid, 'memory', 'memory.swappiness'), '10');
    assert.equal(cgroupFile(pid, 'cpu', 'cpu.shares'), '512');
    assert.equal(cgroupFile(pid, 'cpu', 'cpu.cfs_period_us'), '50000');
    assert.equal(cgroupFile(pid, 'cpu', 'cpu.cfs_quota_us'), '25000');
    assert.equal(cgroupFile(pid, 'cpuset', 'cpuset.cpus'), '1');
    assert.equal(cgroupFile(pid, 'cpuset', 'cpuset.mems'), '0');
    assert.equal(cgroupFile(pid, 'pids', 'pids.max'), '50');
    assert.match(
      cgroupFile(pid, 'blkio', 'blkio.throttle.read_bps_device'),
      new RegExp(`^254:0 ${MB}$`, 'm'),
    );
    assert.match(
      cgroupFile(pid, 'blkio', 'blkio.throttle.write_bps_device'),
      new RegExp(`^254:0 ${2 * MB}$`, 'm'),
    );
    assert.match(cgroupFile(pid, 'blkio', 'blkio.throttle.read_iops_device'), /^254:0 100$/m);
    assert.match(cgroupFile(pid, 'blkio', 'blkio.throttle.write_iops_device'), /^254:0 200$/m);
    assert.equal(readFileSync(`/proc/${pid}/oom_score_adj`, 'utf8').trim(), '200');
    assert.match(readFileSync(`/proc/${pid}/limits`, 'utf8'), /Max open files\s+1000\s+1000/);
    assert.match(readFileSync(`/proc/${pid}/status`, 'utf8'), /^Cpus_allowed_list:\s+1$/m);
    // /dev/shm is 8 MiB (df's 1K blocks).
    const df = ok(await d.polis(['exec', 'limits', 'df', '-k', '/dev/shm'])).split('\n')[1] ?? '';
    assert.equal(df.trim().split(/\s+/)[1], '8192', df);
    assert.equal(
      await inspect(
        'limits',
        '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.MemoryReservation}} {{.HostConfig.CpuShares}} {{.HostConfig.CpuPeriod}} {{.HostConfig.CpuQuota}} {{.HostConfig.CpusetCpus}} {{.HostConfig.PidsLimit}} {{.HostConfig.ShmSize}} {{.HostConfig.OomScoreAdj}}',
      ),
      `${64 * MB} ${128 * MB} ${32 * MB} 512 50000 25000 1 50 ${8 * MB} 200`,
    );
    ok(await d.polis(['rm', '-f', 'limits']));
  });

  it('refuses what Docker refuses, in its words, and makes nothing', async () => {
    const cases: [string[], RegExp][] = [
      [['-m', '4m'], /Minimum memory limit allowed is 6MB/],
      [['-m', '64m', '--memory-swap', '32m'], /Minimum memoryswap limit should be larger than memory limit/],
      [
        ['--cpus', '0.5', '--cpu-quota', '50000'],
        /Conflicting options: Nano CPUs and CPU Quota cannot both be set/,
      ],
      [['--cpuset-cpus', '7'], /Requested CPUs are not available - requested 7, available: 0-1/],
      [['--cpuset-mems', '3'], /Requested memory nodes are not available - requested 3, available: 0/],
      [
        ['--memory-reservation', '128m', '-m', '64m'],
        /Minimum memory limit can not be less than memory reservation limit/,
      ],
      [['--cgroup-parent', '../escape'], /invalid cgroup-parent/],
    ];
    for (const [flags, message] of cases) {
      const res = await d.polis(['create', ...flags, 'busybox', 'true']);
      assert.equal(res.code, 125, `${flags.join(' ')}: ${res.stderr}`);
      assert.match(res.stderr, message);
    }
    // Real-time: either the kernel lacks CONFIG_RT_GROUP_SCHED, or Polis's parent has no time to hand out.
    const rt = await d.polis(['create', '--cpu-rt-runtime', '1000', 'busybox', 'true']);
    assert.equal(rt.code, 125);
    assert.match(
      rt.stderr,
      existsSync('/sys/fs/cgroup/cpu/cpu.rt_runtime_us')
        ? /more than Polis's cgroup parent has to give/
        : /Your kernel does not support CPU real-time scheduler/,
    );
    assert.equal(ok(await d.polis(['ps', '-aq'])), '');
  });

  it('a memory hog under -m 32m is OOM-killed: 137, OOMKilled, an oom event', async () => {
    const since = now();
    const res = await d.polis(['run', '--name', 'hog', '-m', '32m', 'busybox', 'sh', '-c', 'tail /dev/zero']);
    assert.equal(res.code, 137, res.stderr);
    assert.equal(await inspect('hog', '{{.State.OOMKilled}} {{.State.ExitCode}}'), 'true 137');
    assert.ok((await events('hog', since)).includes('oom'));
    ok(await d.polis(['rm', 'hog']));
  });

  it('a child OOM-killed while PID 1 lives: an oom event now, OOMKilled at the exit', async () => {
    const since = now();
    ok(
      await d.polis([
        'run',
        '-d',
        '--name',
        'child-oom',
        '-m',
        '32m',
        'busybox',
        'sh',
        '-c',
        'tail /dev/zero; sleep 300',
      ]),
    );
    let seen: string[] = [];
    for (let i = 0; i < 40 && !seen.includes('oom'); i++) {
      await sleep(250);
      seen = await events('child-oom', since);
    }
    assert.ok(seen.includes('oom'), seen.join(','));
    assert.equal(await inspect('child-oom', '{{.State.Running}}'), 'true');
    ok(await d.polis(['stop', '-t', '0', 'child-oom']));
    assert.equal(await inspect('child-oom', '{{.State.OOMKilled}}'), 'true');
    ok(await d.polis(['rm', 'child-oom']));
  });

  it('the restart policy applies after an OOM kill', async () => {
    ok(
      await d.polis([
        'run',
        '-d',
        '--name',
        'oom-restart',
        '--restart',
        'on-failure:1',
        '-m',
        '32m',
        'busybox',
        'sh',
        '-c',
        'tail /dev/zero',
      ]),
    );
    let count = '0';
    for (let i = 0; i < 60 && count !== '1'; i++) {
      await sleep(250);
      count = await inspect('oom-restart', '{{.RestartCount}}');
    }
    assert.equal(count, '1');
    ok(await d.polis(['rm', '-f', 'oom-restart']));
  });

  it('--pids-limit 20 stops a fork loop at 20 processes', async () => {
    ok(await d.polis(['run', '-d', '--name', 'forks', '--pids-limit', '20', 'busybox', 'sleep', '300']));
    const pid = await pidOf('forks');
    // busybox sh gives up at the first fork the kernel refuses: PID 1 + the shell + 18 sleeps = 20.
    const loop = await d.polis(['exec', 'forks', 'sh', '-c', 'for i in $(seq 1 60); do sleep 300 & done']);
    assert.notEqual(loop.code, 0);
    assert.match(loop.stderr, /can't fork/);
    assert.equal(cgroupFile(pid, 'pids', 'pids.max'), '20');
    assert.match(cgroupFile(pid, 'pids', 'pids.events'), /^max [1-9]\d*$/m, 'forks were refused');
    // The shell is gone; its 18 sleeps and PID 1 remain.
    assert.equal(cgroupFile(pid, 'pids', 'pids.current'), '19');
    ok(await d.polis(['rm', '-f', 'forks']));
  });

  it('--cpus 0.5 keeps a busy loop near half a core', async (t) => {
    ok(
      await d.polis([
        'run',
        '-d',
        '--name',
        'busy',
        '--cpus',
        '0.5',
        'busybox',
        'sh',
        '-c',
        'while :; do :; done',
      ]),
    );
    const pid = await pidOf('busy');
    assert.equal(cgroupFile(pid, 'cpu', 'cpu.cfs_quota_us'), '50000');
    assert.equal(cgroupFile(pid, 'cpu', 'cpu.cfs_period_us'), '100000');
    const usage = (): number => Number(cgroupFile(pid, 'cpuacct', 'cpuacct.usage'));
    await sleep(300);
    const u0 = usage();
    const t0 = process.hrtime.bigint();
    await sleep(3000);
    const cores = (usage() - u0) / Number(process.hrtime.bigint() - t0);
    t.diagnostic(`cores used: ${cores.toFixed(3)}`);
    assert.ok(cores > 0.2 && cores < 0.8, `cores used ${cores}`);
    ok(await d.polis(['rm', '-f', 'busy']));
  });

  it('--cgroup-parent puts the cgroup under that parent', async () => {
    ok(
      await d.polis([
        'run',
        '-d',
        '--name',
        'parented',
        '--cgroup-parent',
        'polis-e2e-parent',
        '-m',
        '16m',
        'busybox',
        'sleep',
        '300',
      ]),
    );
    const pid = await pidOf('parented');
    try {
      const dir = cgroupDir(pid, 'memory');
      const id = await inspect('parented', '{{.Id}}');
      assert.equal(dir, join('/sys/fs/cgroup/memory/polis-e2e-parent', id));
      assert.equal(await inspect('parented', '{{.HostConfig.CgroupParent}}'), 'polis-e2e-parent');
      assert.equal(cgroupFile(pid, 'memory', 'memory.limit_in_bytes'), String(16 * MB));
    } finally {
      ok(await d.polis(['rm', '-f', 'parented']));
      for (const c of [
        'blkio',
        'cpu',
        'cpuacct',
        'cpuset',
        'devices',
        'freezer',
        'hugetlb',
        'memory',
        'pids',
        'unified',
        'systemd',
      ]) {
        const parent = join('/sys/fs/cgroup', c, 'polis-e2e-parent');
        if (existsSync(parent)) rmdirSync(parent);
      }
    }
  });

  it("update --memory 64m --cpus 1 changes a running container's cgroup and survives a restart", async () => {
    ok(
      await d.polis(['run', '-d', '--name', 'upd', '-m', '32m', '--cpus', '0.5', 'busybox', 'sleep', '300']),
    );
    let pid = await pidOf('upd');
    assert.equal(cgroupFile(pid, 'memory', 'memory.limit_in_bytes'), String(32 * MB));
    const res = await d.polis(['update', '--memory', '64m', '--cpus', '1', '--pids-limit', '30', 'upd']);
    assert.equal(ok(res, 'update'), 'upd');
    const check = (): void => {
      assert.equal(cgroupFile(pid, 'memory', 'memory.limit_in_bytes'), String(64 * MB));
      assert.equal(cgroupFile(pid, 'memory', 'memory.memsw.limit_in_bytes'), String(128 * MB));
      assert.equal(cgroupFile(pid, 'cpu', 'cpu.cfs_quota_us'), '100000');
      assert.equal(cgroupFile(pid, 'pids', 'pids.max'), '30');
    };
    check();
    assert.equal(
      await inspect('upd', '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}'),
      `${64 * MB} 1000000000`,
    );
    ok(await d.polis(['restart', '-t', '0', 'upd']));
    pid = await pidOf('upd');
    check();
    // Lowering works too (the limit goes down before memory+swap).
    ok(await d.polis(['update', '--memory', '16m', 'upd']));
    assert.equal(cgroupFile(pid, 'memory', 'memory.limit_in_bytes'), String(16 * MB));
    assert.equal(cgroupFile(pid, 'memory', 'memory.memsw.limit_in_bytes'), String(32 * MB));
    // Checked as at create; conflicts are Docker's 409s; nothing changes.
    const small = await d.polis(['update', '--memory', '4m', 'upd']);
    assert.equal(small.code, 1);
    assert.match(small.stderr, /Minimum memory limit allowed is 6MB/);
    const quota = await d.polis(['update', '--cpu-quota', '20000', 'upd']);
    assert.match(
      quota.stderr,
      /Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set/,
    );
    assert.equal(cgroupFile(pid, 'memory', 'memory.limit_in_bytes'), String(16 * MB));
    ok(await d.polis(['rm', '-f', 'upd']));
  });

  it('update of a stopped container is kept for its next start', async () => {
    ok(await d.polis(['create', '--name', 'cold', 'busybox', 'sleep', '300']));
    ok(await d.polis(['update', '--memory', '48m', '--cpuset-cpus', '0', '--restart', 'always', 'cold']));
    ok(await d.polis(['start', 'cold']));
    const pid = await pidOf('cold');
    assert.equal(cgroupFile(pid, 'memory', 'memory.limit_in_bytes'), String(48 * MB));
    assert.equal(cgroupFile(pid, 'cpuset', 'cpuset.cpus'), '0');
    assert.equal(await inspect('cold', '{{.HostConfig.RestartPolicy.Name}}'), 'always');
    ok(await d.polis(['rm', '-f', 'cold']));
  });

  it('the docker CLI: run -m --cpus --pids-limit, inspect, update', async () => {
    const id = ok(
      await d.docker([
        'run',
        '-d',
        '-m',
        '48m',
        '--cpus',
        '0.5',
        '--pids-limit',
        '40',
        'busybox',
        'sleep',
        '300',
      ]),
      'docker run',
    );
    try {
      assert.equal(ok(await d.docker(['inspect', '-f', '{{.HostConfig.Memory}}', id])), String(48 * MB));
      const pid = Number(ok(await d.docker(['inspect', '-f', '{{.State.Pid}}', id])));
      assert.equal(cgroupFile(pid, 'memory', 'memory.limit_in_bytes'), String(48 * MB));
      assert.equal(cgroupFile(pid, 'pids', 'pids.max'), '40');
      assert.equal(cgroupFile(pid, 'cpu', 'cpu.cfs_quota_us'), '50000');
      ok(
        await d.docker(['update', '--memory', '96m', '--memory-swap', '192m', '--cpus', '1.5', id]),
        'docker update',
      );
      assert.equal(cgroupFile(pid, 'memory', 'memory.limit_in_bytes'), String(96 * MB));
      assert.equal(cgroupFile(pid, 'memory', 'memory.memsw.limit_in_bytes'), String(192 * MB));
      assert.equal(cgroupFile(pid, 'cpu', 'cpu.cfs_quota_us'), '150000');
      assert.equal(ok(await d.docker(['inspect', '-f', '{{.HostConfig.Memory}}', id])), String(96 * MB));
    } finally {
      await d.docker(['rm', '-f', id]);
    }
  });
});
