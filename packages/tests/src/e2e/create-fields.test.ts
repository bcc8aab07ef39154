import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestDaemon } from '../harness/daemon.js';
import { ok } from '../harness/expect.js';
import { postJson, rawRequest } from '../harness/http.js';

/** Create-body fields reach the real container (crun on this host), or the create says why not. */
describe('create fields', () => {
  let d: TestDaemon;

  before(async () => {
    d = await TestDaemon.start();
    await d.importBusybox();
  });

  after(async () => {
    await d?.cleanup();
  });

  /** Creates from a raw API body, runs it attached and removes it; returns its output and the create reply. */
  async function run(
    cmd: string[],
    host: Record<string, unknown> = {},
    config: Record<string, unknown> = {},
  ): Promise<{ out: string; warnings: string[]; inspect: Record<string, unknown> }> {
    const res = await postJson(d.socket, '/v1.41/containers/create', {
      Image: 'busybox',
      Cmd: cmd,
      ...config,
      HostConfig: host,
    });
    assert.equal(res.status, 201, res.text);
    const { Id: id, Warnings: warnings } = res.json as { Id: string; Warnings: string[] | null };
    try {
      const inspect = (await rawRequest(d.socket, 'GET', `/v1.41/containers/${id}/json`)).json as Record<
        string,
        unknown
      >;
      const out = ok(await d.polis(['start', '-a', id]), 'start -a');
      return { out, warnings: warnings ?? [], inspect };
    } finally {
      await rawRequest(d.socket, 'DELETE', `/v1.41/containers/${id}?force=1`);
    }
  }

  function mountOptions(mounts: string, target: string): string[] {
    const line = mounts.split('\n').find((l) => l.split(' ')[1] === target);
    assert.ok(line, `${target} in /proc/mounts:\n${mounts}`);
    return (line.split(' ')[3] as string).split(',');
  }

  it('a tmpfs with options keeps nosuid, nodev and noexec (HostConfig.Tmpfs and Mounts)', async () => {
    const { out } = await run(['cat', '/proc/mounts'], {
      Tmpfs: { '/x': 'size=10m' },
      Mounts: [{ Type: 'tmpfs', Target: '/y', TmpfsOptions: { SizeBytes: 1 << 20 } }],
    });
    for (const target of ['/x', '/y']) {
      const options = mountOptions(out, target);
      for (const flag of ['nosuid', 'nodev', 'noexec'])
        assert.ok(options.includes(flag), `${target}: ${options}`);
    }
    assert.ok(mountOptions(out, '/x').includes('size=10240k'));
  });

  it('a tmpfs that says exec is executable, and keeps nosuid and nodev', async () => {
    const { out } = await run(['cat', '/proc/mounts'], { Tmpfs: { '/x': 'exec,size=1m' } });
    const options = mountOptions(out, '/x');
    assert.ok(!options.includes('noexec'), options.join(','));
    assert.ok(options.includes('nosuid') && options.includes('nodev'), options.join(','));
  });

  for (const [what, body, message] of [
    ['a nameless variable', { Env: ['=x'] }, /^invalid environment variable: =x$/],
    ['an empty variable', { Env: [''] }, /^invalid environment variable: $/],
    ['a bind over /', { HostConfig: { Binds: ['/tmp:/'] } }, /destination can't be '\/'/],
    ['a 300-character hostname', { Hostname: 'h'.repeat(300) }, /^invalid hostname format/],
  ] as const) {
    it(`create refuses ${what} with a 400 and makes nothing`, async () => {
      const before = (await rawRequest(d.socket, 'GET', '/v1.41/containers/json?all=1')).text;
      const res = await postJson(d.socket, '/v1.41/containers/create', {
        Image: 'busybox',
        Cmd: ['true'],
        ...body,
      });
      assert.equal(res.status, 400, res.text);
      assert.match((res.json as { message: string }).message, message);
      assert.equal((await rawRequest(d.socket, 'GET', '/v1.41/containers/json?all=1')).text, before);
    });
  }

  it('a 70 KB name is a 400 with a JSON message, and the daemon keeps serving', async () => {
    const res = await postJson(d.socket, `/v1.41/containers/create?name=${'n'.repeat(70 * 1024)}`, {
      Image: 'busybox',
    });
    assert.equal(res.status, 400, res.text);
    assert.equal(typeof (res.json as { message?: unknown }).message, 'string');
    assert.equal((await rawRequest(d.socket, 'GET', '/_ping')).status, 200);
  });

  it('Docker routes Polis lacks are 501 "not implemented by Polis"', async () => {
    for (const [method, path] of [
      ['GET', '/v1.41/swarm'],
      ['GET', '/v1.41/services'],
      ['GET', '/v1.41/plugins'],
      ['GET', '/v1.41/secrets'],
    ] as const) {
      const res = await rawRequest(d.socket, method, path);
      assert.equal(res.status, 501, `${path}: ${res.text}`);
      assert.match((res.json as { message: string }).message, /is not implemented by Polis$/);
    }
  });

  /** Creates and starts a container that sleeps, gives its id, reply and inspect to `fn`, removes it. */
  async function running(
    host: Record<string, unknown>,
    fn: (
      id: string,
      warnings: string[],
      inspect: { HostConfig: Record<string, unknown> },
    ) => Promise<void> | void,
  ): Promise<void> {
    const res = await postJson(d.socket, '/v1.41/containers/create', {
      Image: 'busybox',
      Cmd: ['sleep', '300'],
      HostConfig: host,
    });
    assert.equal(res.status, 201, res.text);
    const { Id: id, Warnings: warnings } = res.json as { Id: string; Warnings: string[] };
    try {
      const start = await rawRequest(d.socket, 'POST', `/v1.41/containers/${id}/start`);
      assert.equal(start.status, 204, start.text);
      const inspect = (await rawRequest(d.socket, 'GET', `/v1.41/containers/${id}/json`)).json as {
        HostConfig: Record<string, unknown>;
      };
      await fn(id, warnings, inspect);
    } finally {
      await rawRequest(d.socket, 'DELETE', `/v1.41/containers/${id}?force=1`);
    }
  }

  const cgroupFile = (controller: string, id: string, file: string): string =>
    readFileSync(join('/sys/fs/cgroup', controller, 'polis', id, file), 'utf8');

  it('Sysctls and OomScoreAdj reach the process, and inspect shows them', async () => {
    const sysctls = { 'kernel.shmmax': '1234567', 'net.ipv4.ip_local_port_range': '20000 30000' };
    const { out, warnings, inspect } = await run(
      [
        'cat',
        '/proc/sys/kernel/shmmax',
        '/proc/sys/net/ipv4/ip_local_port_range',
        '/proc/self/oom_score_adj',
      ],
      { Sysctls: sysctls, OomScoreAdj: 500 },
    );
    assert.deepEqual(
      out.split('\n').map((l) => l.trim().replace(/\s+/g, ' ')),
      ['1234567', '20000 30000', '500'],
    );
    assert.deepEqual(warnings, []);
    const host = (inspect as { HostConfig: Record<string, unknown> }).HostConfig;
    assert.deepEqual(host.Sysctls, sysctls);
    assert.equal(host.OomScoreAdj, 500);
  });

  it('memory swappiness, the OOM killer switch, cpuset mems and device rules reach the cgroup', async (t) => {
    if (!existsSync('/sys/fs/cgroup/memory/memory.swappiness'))
      return t.skip('no cgroup v1 memory controller');
    await running(
      {
        Memory: 64 * 1024 * 1024,
        MemorySwappiness: 10,
        OomKillDisable: true,
        CpusetMems: '0',
        DeviceCgroupRules: ['c 10:200 rwm'],
      },
      (id, warnings, inspect) => {
        assert.deepEqual(warnings, []);
        assert.equal(cgroupFile('memory', id, 'memory.swappiness').trim(), '10');
        assert.match(cgroupFile('memory', id, 'memory.oom_control'), /^oom_kill_disable 1$/m);
        assert.equal(cgroupFile('cpuset', id, 'cpuset.mems').trim(), '0');
        assert.match(cgroupFile('devices', id, 'devices.list'), /^c 10:200 rwm$/m);
        assert.equal(inspect.HostConfig.MemorySwappiness, 10);
        assert.equal(inspect.HostConfig.OomKillDisable, true);
        assert.equal(inspect.HostConfig.CpusetMems, '0');
        assert.deepEqual(inspect.HostConfig.DeviceCgroupRules, ['c 10:200 rwm']);
      },
    );
  });

  it('block I/O: throttles reach the cgroup by device number; a weight the host cannot enforce is a warning', async (t) => {
    const device = readdirSync('/dev')
      .map((n) => join('/dev', n))
      .find((p) => statSync(p).isBlockDevice());
    if (!device || !existsSync('/sys/fs/cgroup/blkio/blkio.throttle.read_bps_device')) {
      return t.skip('no block device or no blkio throttling');
    }
    const rdev = statSync(device).rdev;
    const number = `${Math.floor(rdev / 256) & 0xfff}:${(rdev & 0xff) | ((rdev >> 12) & 0xfff00)}`;
    const weightSupported = existsSync('/sys/fs/cgroup/blkio/blkio.weight');
    await running(
      {
        BlkioWeight: 300,
        BlkioDeviceReadBps: [{ Path: device, Rate: 1048576 }],
        BlkioDeviceWriteIOps: [{ Path: device, Rate: 100 }],
      },
      (id, warnings, inspect) => {
        assert.match(
          cgroupFile('blkio', id, 'blkio.throttle.read_bps_device'),
          new RegExp(`^${number} 1048576$`, 'm'),
        );
        assert.match(
          cgroupFile('blkio', id, 'blkio.throttle.write_iops_device'),
          new RegExp(`^${number} 100$`, 'm'),
        );
        assert.deepEqual(inspect.HostConfig.BlkioDeviceReadBps, [{ Path: device, Rate: 1048576 }]);
        if (weightSupported) {
          assert.equal(cgroupFile('blkio', id, 'blkio.weight').trim(), '300');
          assert.deepEqual(warnings, []);
        } else {
          assert.deepEqual(warnings, [
            'Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.',
          ]);
          assert.equal(inspect.HostConfig.BlkioWeight, 0);
        }
      },
    );
  });

  it('a real-time period reaches the cgroup; a real-time runtime the cgroup parent cannot give is a 400', async (t) => {
    if (!existsSync('/sys/fs/cgroup/cpu/cpu.rt_period_us')) return t.skip('no real-time group scheduling');
    await running({ CpuRealtimePeriod: 500_000 }, (id, warnings, inspect) => {
      assert.deepEqual(warnings, []);
      assert.equal(cgroupFile('cpu', id, 'cpu.rt_period_us').trim(), '500000');
      assert.equal(inspect.HostConfig.CpuRealtimePeriod, 500_000);
    });
    const res = await postJson(d.socket, '/v1.41/containers/create', {
      Image: 'busybox',
      HostConfig: { CpuRealtimeRuntime: 1000 },
    });
    assert.equal(res.status, 400, res.text);
    assert.match((res.json as { message: string }).message, /cgroup parent has to give/);
  });

  it('CgroupnsMode host leaves the container in the host cgroup namespace; the default gives it its own', async () => {
    const hostNs = readlinkSync('/proc/self/ns/cgroup');
    const shared = await run(['readlink', '/proc/self/ns/cgroup'], { CgroupnsMode: 'host' });
    assert.equal(shared.out, hostNs);
    assert.equal(
      (shared.inspect as { HostConfig: { CgroupnsMode: string } }).HostConfig.CgroupnsMode,
      'host',
    );
    const own = await run(['readlink', '/proc/self/ns/cgroup']);
    assert.notEqual(own.out, hostNs);
  });

  it('KernelMemory, CpuPercent and MacAddress are answered with warnings', async () => {
    const { warnings } = await run(
      ['true'],
      { KernelMemory: 64 * 1024 * 1024, CpuPercent: 50 },
      { MacAddress: '02:42:ac:11:00:99' },
    );
    assert.deepEqual(warnings, [
      'Specifying a kernel memory limit is deprecated and will be removed in a future release.',
      'linux does not support CPU percent. Percent discarded.',
      'MacAddress is not supported by Polis: the container gets the MAC address its network derives from its IP. MacAddress discarded.',
    ]);
  });

  for (const [what, host, message] of [
    [
      'a sysctl of the host kernel',
      { Sysctls: { 'kernel.pid_max': '100' } },
      /is not in a separate kernel namespace/,
    ],
    [
      'net.* on the host network',
      { NetworkMode: 'host', Sysctls: { 'net.ipv4.ip_forward': '0' } },
      /not allowed in host network namespace/,
    ],
    [
      'an OOM score out of range',
      { OomScoreAdj: 2000 },
      /^Invalid value 2000, range for oom score adj is \[-1000, 1000\]$/,
    ],
    ['swappiness out of range', { MemorySwappiness: 101 }, /valid memory swappiness range is 0-100/],
    ['StorageOpt', { StorageOpt: { size: '1G' } }, /--storage-opt is supported only for overlay over xfs/],
    [
      'a blkio device that is not one',
      { BlkioDeviceReadBps: [{ Path: '/dev/null', Rate: 1 }] },
      /not a block device/,
    ],
  ] as const) {
    it(`create refuses ${what} with a 400`, async () => {
      const res = await postJson(d.socket, '/v1.41/containers/create', {
        Image: 'busybox',
        HostConfig: host,
      });
      assert.equal(res.status, 400, res.text);
      assert.match((res.json as { message: string }).message, message);
    });
  }

  it('ConsoleSize is the terminal size the program first sees', async () => {
    const res = await postJson(d.socket, '/v1.41/containers/create', {
      Image: 'busybox',
      Cmd: ['stty', 'size'],
      Tty: true,
      HostConfig: { ConsoleSize: [33, 99] },
    });
    assert.equal(res.status, 201, res.text);
    const { Id: id } = res.json as { Id: string };
    try {
      assert.equal((await rawRequest(d.socket, 'POST', `/v1.41/containers/${id}/start`)).status, 204);
      await rawRequest(d.socket, 'POST', `/v1.41/containers/${id}/wait`);
      const logs = await rawRequest(d.socket, 'GET', `/v1.41/containers/${id}/logs?stdout=1`);
      assert.equal(logs.text.trim(), '33 99');
    } finally {
      await rawRequest(d.socket, 'DELETE', `/v1.41/containers/${id}?force=1`);
    }
  });

  it('the docker CLI: --sysctl, --oom-score-adj and --tmpfs reach the container; warnings are printed', async () => {
    const res = await d.docker([
      'run',
      '--rm',
      '--sysctl',
      'kernel.shmmax=7654321',
      '--oom-score-adj',
      '300',
      '--tmpfs',
      '/x:size=1m',
      '--kernel-memory',
      '64m',
      'busybox',
      'sh',
      '-c',
      'cat /proc/sys/kernel/shmmax /proc/self/oom_score_adj; grep " /x " /proc/mounts',
    ]);
    const out = ok(res, 'docker run').split('\n');
    assert.equal(out[0], '7654321');
    assert.equal(out[1], '300');
    assert.match(out[2] ?? '', /nosuid,nodev,noexec/);
    assert.match(res.stderr, /Specifying a kernel memory limit is deprecated/);
    // The CLI itself refuses non-namespaced keys; net.* on the host network is the daemon's to refuse.
    const refused = await d.docker([
      'run',
      '--rm',
      '--net',
      'host',
      '--sysctl',
      'net.ipv4.ip_forward=0',
      'busybox',
      'true',
    ]);
    assert.equal(refused.code, 125);
    assert.match(refused.stderr, /not allowed in host network namespace/);
  });
});
