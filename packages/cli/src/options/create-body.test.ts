import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, type CommandSpec } from '../flags.js';
import { CONTAINER_FLAGS } from './container-flags.js';
import { buildCreateRequest } from './create-body.js';
import { parseKeyValueFile } from './kv-file.js';
import { parsePublish, parseRestartPolicy, parseUlimit } from './parse.js';

const spec: CommandSpec = {
  name: 'run',
  usage: '',
  summary: '',
  interspersed: false,
  flags: [{ name: 'detach', short: 'd', type: 'bool', help: '' }, ...CONTAINER_FLAGS],
};

const files: Record<string, string> = {
  'app.env': '# comment\n\n  FROM_FILE=a b \nPASSED\nMISSING\nOVERRIDE=file\n',
  labels: 'team=core\nflag\n',
};
const env = { PASSED: 'from-env', HOME_VAR: 'home' };

function build(argv: string[], detach = false) {
  const p = parseArgs(spec, argv);
  return buildCreateRequest(p, { env, readFile: (f) => files[f] ?? assert.fail(`no file ${f}`) }, { detach });
}

test('environment: env-file first, then -e; -e VAR takes the CLI environment', () => {
  const { body } = build([
    '--env-file',
    'app.env',
    '-e',
    'OVERRIDE=flag',
    '-e',
    'HOME_VAR',
    '-e',
    'UNSET_VAR',
    'busybox',
  ]);
  assert.deepEqual(body.Env, [
    'FROM_FILE=a b ',
    'PASSED=from-env',
    'OVERRIDE=file',
    'OVERRIDE=flag',
    'HOME_VAR=home',
    'UNSET_VAR',
  ]);
});

test('labels from file then flags (bare keys in a label file are dropped); name; command', () => {
  const req = build([
    '-l',
    'a=1',
    '--label',
    'team=edge',
    '--label-file',
    'labels',
    '--name',
    'web',
    'busybox',
    'echo',
    'hi',
  ]);
  assert.equal(req.name, 'web');
  assert.deepEqual(req.body.Labels, { team: 'edge', a: '1' });
  assert.equal(req.body.Image, 'busybox');
  assert.deepEqual(req.body.Cmd, ['echo', 'hi']);
});

test('resources: memory units, cpus, pids, ulimits', () => {
  const h = build([
    '-m',
    '512m',
    '--memory-swap',
    '-1',
    '--cpus',
    '1.5',
    '--pids-limit',
    '100',
    '--ulimit',
    'nofile=1024:2048',
    '--ulimit',
    'nproc=64',
    'busybox',
  ]).body.HostConfig;
  assert.equal(h?.Memory, 512 * 1024 * 1024);
  assert.equal(h?.MemorySwap, -1);
  assert.equal(h?.NanoCpus, 1_500_000_000);
  assert.equal(h?.PidsLimit, 100);
  assert.deepEqual(h?.Ulimits, [
    { Name: 'nofile', Soft: 1024, Hard: 2048 },
    { Name: 'nproc', Soft: 64, Hard: 64 },
  ]);
  assert.throws(() => build(['-m', '12q', 'busybox']), /invalid size: '12q'/);
});

test('resources: every cgroup flag reaches its HostConfig field', () => {
  const h = build([
    '--memory-reservation',
    '32m',
    '--memory-swappiness',
    '10',
    '--oom-kill-disable',
    '--oom-score-adj',
    '-500',
    '--cpu-shares',
    '512',
    '--cpu-period',
    '50000',
    '--cpu-quota',
    '25000',
    '--cpu-rt-period',
    '1000000',
    '--cpu-rt-runtime',
    '950000',
    '--cpuset-cpus',
    '0-1',
    '--cpuset-mems',
    '0',
    '--blkio-weight',
    '300',
    '--blkio-weight-device',
    '/dev/vda:200',
    '--device-read-bps',
    '/dev/vda:1mb',
    '--device-write-bps',
    '/dev/vda:2048',
    '--device-read-iops',
    '/dev/vda:100',
    '--device-write-iops',
    '/dev/vda:200',
    '--cgroup-parent',
    'mine',
    '--cgroupns',
    'host',
    'busybox',
  ]).body.HostConfig;
  assert.deepEqual(
    {
      MemoryReservation: h?.MemoryReservation,
      MemorySwappiness: h?.MemorySwappiness,
      OomKillDisable: h?.OomKillDisable,
      OomScoreAdj: h?.OomScoreAdj,
      CpuShares: h?.CpuShares,
      CpuPeriod: h?.CpuPeriod,
      CpuQuota: h?.CpuQuota,
      CpuRealtimePeriod: h?.CpuRealtimePeriod,
      CpuRealtimeRuntime: h?.CpuRealtimeRuntime,
      CpusetCpus: h?.CpusetCpus,
      CpusetMems: h?.CpusetMems,
      BlkioWeight: h?.BlkioWeight,
      BlkioWeightDevice: h?.BlkioWeightDevice,
      BlkioDeviceReadBps: h?.BlkioDeviceReadBps,
      BlkioDeviceWriteBps: h?.BlkioDeviceWriteBps,
      BlkioDeviceReadIOps: h?.BlkioDeviceReadIOps,
      BlkioDeviceWriteIOps: h?.BlkioDeviceWriteIOps,
      CgroupParent: h?.CgroupParent,
      CgroupnsMode: h?.CgroupnsMode,
    },
    {
      MemoryReservation: 32 * 1024 * 1024,
      MemorySwappiness: 10,
      OomKillDisable: true,
      OomScoreAdj: -500,
      CpuShares: 512,
      CpuPeriod: 50000,
      CpuQuota: 25000,
      CpuRealtimePeriod: 1000000,
      CpuRealtimeRuntime: 950000,
      CpusetCpus: '0-1',
      CpusetMems: '0',
      BlkioWeight: 300,
      BlkioWeightDevice: [{ Path: '/dev/vda', Weight: 200 }],
      BlkioDeviceReadBps: [{ Path: '/dev/vda', Rate: 1024 * 1024 }],
      BlkioDeviceWriteBps: [{ Path: '/dev/vda', Rate: 2048 }],
      BlkioDeviceReadIOps: [{ Path: '/dev/vda', Rate: 100 }],
      BlkioDeviceWriteIOps: [{ Path: '/dev/vda', Rate: 200 }],
      CgroupParent: 'mine',
      CgroupnsMode: 'host',
    },
  );
  // Not given: swappiness stays unset (docker's -1), nothing else is sent.
  const none = build(['busybox']).body.HostConfig;
  assert.equal(none?.MemorySwappiness, undefined);
  assert.equal(none?.OomKillDisable, undefined);
  assert.throws(() => build(['--device-read-bps', 'vda:1mb', 'busybox']), /bad format for device path/);
  assert.throws(() => build(['--device-read-iops', '/dev/vda:x', 'busybox']), /invalid rate for device/);
  assert.throws(() => build(['--blkio-weight-device', '/dev/vda:5', 'busybox']), /invalid weight for device/);
});

test('entrypoint: a value replaces it, an empty value clears it, absent leaves it', () => {
  assert.deepEqual(build(['--entrypoint', '/bin/sh', 'busybox']).body.Entrypoint, ['/bin/sh']);
  assert.deepEqual(build(['--entrypoint', '', 'busybox']).body.Entrypoint, ['']);
  assert.deepEqual(build(['--entrypoint=', 'busybox']).body.Entrypoint, ['']);
  assert.equal(build(['busybox']).body.Entrypoint, undefined);
});

test('restart policy, --rm, security and lifecycle flags', () => {
  const b = build([
    '--restart',
    'on-failure:3',
    '--init',
    '--stop-signal',
    'SIGUSR1',
    '--stop-timeout',
    '7',
    '--cap-add',
    'NET_ADMIN',
    '--cap-drop',
    'ALL',
    '--security-opt',
    'no-new-privileges',
    '--privileged',
    '--read-only',
    '--runtime',
    'runc',
    '--network',
    'none',
    '-h',
    'box',
    '-w',
    '/tmp',
    '-u',
    '1000:1000',
    '--log-opt',
    'max-size=1m',
    'busybox',
  ]).body;
  const h = b.HostConfig;
  assert.deepEqual(h?.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 3 });
  assert.equal(h?.Init, true);
  assert.equal(b.StopSignal, 'SIGUSR1');
  assert.equal(b.StopTimeout, 7);
  assert.deepEqual(h?.CapAdd, ['NET_ADMIN']);
  assert.deepEqual(h?.CapDrop, ['ALL']);
  assert.deepEqual(h?.SecurityOpt, ['no-new-privileges']);
  assert.equal(h?.Privileged, true);
  assert.equal(h?.ReadonlyRootfs, true);
  assert.equal(h?.Runtime, 'runc');
  assert.equal(h?.NetworkMode, 'none');
  assert.deepEqual(h?.LogConfig, { Type: '', Config: { 'max-size': '1m' } });
  assert.equal(b.Hostname, 'box');
  assert.equal(b.WorkingDir, '/tmp');
  assert.equal(b.User, '1000:1000');
  assert.equal(build(['busybox']).body.HostConfig?.Init, undefined);
  assert.equal(build(['--rm', 'busybox']).body.HostConfig?.AutoRemove, true);
  assert.throws(
    () => build(['--rm', '--restart', 'always', 'busybox']),
    /cannot specify both --restart and --rm/,
  );
});

test('attach streams: all by default, none when detached, stdin with -i', () => {
  const fg = build(['-i', '-t', 'busybox']).body;
  assert.deepEqual(
    [fg.AttachStdin, fg.AttachStdout, fg.AttachStderr, fg.OpenStdin, fg.StdinOnce, fg.Tty],
    [true, true, true, true, true, true],
  );
  const bg = build(['-i', 'busybox'], true).body;
  assert.deepEqual(
    [bg.AttachStdin, bg.AttachStdout, bg.AttachStderr, bg.OpenStdin, bg.StdinOnce],
    [false, false, false, true, false],
  );
  const some = build(['-a', 'stderr', 'busybox']).body;
  assert.deepEqual([some.AttachStdout, some.AttachStderr], [false, true]);
});

test('ports and volumes', () => {
  const b = build([
    '-p',
    '8080:80',
    '-p',
    '127.0.0.1:53:53/udp',
    '--expose',
    '9000',
    '-v',
    '/host:/data:ro',
    '-v',
    '/anon',
    'busybox',
  ]).body;
  assert.deepEqual(b.ExposedPorts, { '80/tcp': {}, '53/udp': {}, '9000/tcp': {} });
  assert.deepEqual(b.HostConfig?.PortBindings, {
    '80/tcp': [{ HostIp: '', HostPort: '8080' }],
    '53/udp': [{ HostIp: '127.0.0.1', HostPort: '53' }],
  });
  assert.deepEqual(b.HostConfig?.Binds, ['/host:/data:ro']);
  assert.deepEqual(b.Volumes, { '/anon': {} });
});

test('value parsers reject what docker rejects', () => {
  assert.deepEqual(parseRestartPolicy('always'), { Name: 'always' });
  assert.deepEqual(parseRestartPolicy('unless-stopped'), { Name: 'unless-stopped' });
  assert.throws(
    () => parseRestartPolicy('always:3'),
    /maximum retry count cannot be used with restart policy 'always'/,
  );
  assert.throws(() => parseRestartPolicy('sometimes'), /invalid restart policy format/);
  assert.throws(
    () => parseUlimit('nofile=10:5'),
    /soft limit must be less than or equal to hard limit: 10 > 5/,
  );
  assert.throws(() => parseUlimit('bogus=1'), /invalid ulimit type: bogus/);
  assert.throws(() => parsePublish('1:2:3:4'), /invalid port format/);
  assert.deepEqual(
    parsePublish('8000-8001:80-81').map((x) => [x.port, x.binding.HostPort]),
    [
      ['80/tcp', '8000'],
      ['81/tcp', '8001'],
    ],
  );
});

test('env files reject keys with whitespace', () => {
  assert.throws(() => parseKeyValueFile('BAD KEY=1\n', 'f', () => undefined), /contains whitespaces/);
  assert.deepEqual(
    parseKeyValueFile('\uFEFFA=1\r\n#x\n', 'f', () => undefined),
    ['A=1'],
  );
});
