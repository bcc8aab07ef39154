import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptySpec, isPolisError } from '@polis/core';
import { FULL_SUPPORT } from './cgroup-support.js';
import { createRequestFrom, specFromCreateBody } from './create-body.js';

const map = (body: Record<string, unknown>) => specFromCreateBody({ Image: 'busybox', ...body }, { ncpu: 2 });
const rejects = (body: Record<string, unknown>, message: RegExp): void => {
  assert.throws(
    () => map(body),
    (e) => isPolisError(e, 'request.invalid') && message.test((e as Error).message),
    String(message),
  );
};

/** What the docker CLI 28 sends for `docker create busybox` (zero values everywhere). */
const CLI_DEFAULTS = {
  Hostname: '',
  Domainname: '',
  User: '',
  AttachStdin: false,
  AttachStdout: true,
  AttachStderr: true,
  Tty: false,
  OpenStdin: false,
  StdinOnce: false,
  Env: null,
  Cmd: null,
  Image: 'busybox',
  Volumes: {},
  WorkingDir: '',
  Entrypoint: null,
  OnBuild: null,
  Labels: {},
  HostConfig: {
    Binds: null,
    ContainerIDFile: '',
    LogConfig: { Type: '', Config: {} },
    NetworkMode: 'default',
    PortBindings: {},
    RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
    AutoRemove: false,
    VolumeDriver: '',
    VolumesFrom: null,
    ConsoleSize: [0, 0],
    CapAdd: null,
    CapDrop: null,
    CgroupnsMode: '',
    Dns: [],
    DnsOptions: [],
    DnsSearch: [],
    ExtraHosts: null,
    GroupAdd: null,
    IpcMode: '',
    Cgroup: '',
    Links: null,
    OomScoreAdj: 0,
    PidMode: '',
    Privileged: false,
    PublishAllPorts: false,
    ReadonlyRootfs: false,
    SecurityOpt: null,
    UTSMode: '',
    UsernsMode: '',
    ShmSize: 0,
    Isolation: '',
    CpuShares: 0,
    Memory: 0,
    NanoCpus: 0,
    CgroupParent: '',
    BlkioWeight: 0,
    Devices: [],
    DeviceCgroupRules: null,
    DeviceRequests: null,
    MemoryReservation: 0,
    MemorySwap: 0,
    MemorySwappiness: null,
    OomKillDisable: false,
    PidsLimit: null,
    Ulimits: [],
    MaskedPaths: null,
    ReadonlyPaths: null,
  },
  NetworkingConfig: { EndpointsConfig: {} },
};

test("the docker CLI's zero-valued body maps to the empty spec with the bridge network", () => {
  const expected = emptySpec('busybox');
  expected.network.mode = 'bridge';
  assert.deepEqual(specFromCreateBody(CLI_DEFAULTS), expected);
  assert.deepEqual(createRequestFrom(CLI_DEFAULTS, { support: FULL_SUPPORT }).warnings, [], 'no warnings');
});

test('empty or imageless bodies are 400s', () => {
  assert.throws(() => specFromCreateBody(undefined), /config cannot be empty/);
  assert.throws(() => specFromCreateBody({}), /Config.Image is required/);
  assert.throws(
    () => specFromCreateBody([]),
    (e) => isPolisError(e, 'request.invalid'),
  );
});

test('Cmd and Entrypoint: null takes the image default, [] and [""] clear the entrypoint, a string is one item', () => {
  assert.equal(map({ Entrypoint: null }).basic.entrypoint, undefined);
  assert.deepEqual(map({ Entrypoint: [] }).basic.entrypoint, []);
  assert.deepEqual(map({ Entrypoint: [''] }).basic.entrypoint, []);
  assert.deepEqual(map({ Entrypoint: ['/bin/sh', '-c'] }).basic.entrypoint, ['/bin/sh', '-c']);
  assert.deepEqual(map({ Entrypoint: 'sh' }).basic.entrypoint, ['sh']);
  assert.equal(map({ Cmd: null }).basic.cmd, undefined);
  assert.equal(map({ Cmd: [] }).basic.cmd, undefined);
  assert.deepEqual(map({ Cmd: ['echo', 'a b'] }).basic.cmd, ['echo', 'a b']);
  rejects({ Cmd: [1] }, /^Cmd: expected a list of strings/);
});

test('basic fields', () => {
  const b = map({
    Env: ['A=1'],
    WorkingDir: '/srv',
    User: '1000:1000',
    Hostname: 'h',
    Domainname: 'example.org',
    Labels: { a: 'b' },
    Tty: true,
    OpenStdin: true,
    StdinOnce: true,
    AttachStdin: true,
    AttachStdout: false,
    AttachStderr: false,
    StopSignal: 'SIGUSR1',
    StopTimeout: 3,
    ExposedPorts: { '80/tcp': {}, '53/udp': {}, '8080': {} },
    HostConfig: { Init: true },
  }).basic;
  assert.deepEqual(b, {
    env: ['A=1'],
    workingDir: '/srv',
    user: '1000:1000',
    hostname: 'h',
    domainname: 'example.org',
    labels: { a: 'b' },
    tty: true,
    openStdin: true,
    stdinOnce: true,
    attachStdin: true,
    attachStdout: false,
    attachStderr: false,
    stopSignal: 'SIGUSR1',
    stopTimeout: 3,
    init: true,
    // Integer-like keys come first in a JS object, as they were parsed.
    exposedPorts: ['8080/tcp', '80/tcp', '53/udp'],
  });
  assert.equal(map({ StopSignal: 'term' }).basic.stopSignal, 'term');
  rejects({ StopSignal: 'NOPE' }, /invalid signal: NOPE/);
  rejects({ WorkingDir: 'rel' }, /needs to be an absolute path/);
  rejects({ Labels: { a: 1 } }, /^Labels: expected an object of strings/);
  rejects({ Tty: 'yes' }, /^Tty: expected a boolean/);
  rejects({ ExposedPorts: { '70000/tcp': {} } }, /invalid port/);
});

test('storage: binds, mounts, tmpfs, read-only root', () => {
  const s = map({
    HostConfig: {
      Binds: ['/h:/c', '/h2:/c2:ro,rshared', '/h3:/c3:rw,Z'],
      Tmpfs: { '/run': 'rw,size=64m' },
      Mounts: [
        {
          Type: 'bind',
          Source: '/m',
          Target: '/mnt',
          ReadOnly: true,
          BindOptions: { Propagation: 'rslave' },
        },
        { Type: 'tmpfs', Target: '/scratch', TmpfsOptions: { SizeBytes: 1024, Mode: 0o1777 } },
      ],
      ReadonlyRootfs: true,
    },
  }).storage;
  assert.deepEqual(s, {
    binds: [
      { source: '/h', destination: '/c', readonly: false, createSource: true },
      { source: '/h2', destination: '/c2', readonly: true, propagation: 'rshared', createSource: true },
      { source: '/h3', destination: '/c3', readonly: false, createSource: true },
      { source: '/m', destination: '/mnt', readonly: true, propagation: 'rslave' },
    ],
    tmpfs: [
      { destination: '/run', options: ['rw', 'size=64m'] },
      { destination: '/scratch', options: ['size=1024', 'mode=1777'] },
    ],
    readonlyRootfs: true,
    givenBinds: ['/h:/c', '/h2:/c2:ro,rshared', '/h3:/c3:rw,Z'],
    givenMounts: [
      { Type: 'bind', Source: '/m', Target: '/mnt', ReadOnly: true, BindOptions: { Propagation: 'rslave' } },
      { Type: 'tmpfs', Target: '/scratch', TmpfsOptions: { SizeBytes: 1024, Mode: 0o1777 } },
    ],
  });
  rejects({ HostConfig: { Binds: ['/h:c'] } }, /mount path must be absolute/);
  rejects({ HostConfig: { Binds: ['/h:/c:bogus'] } }, /invalid mode: bogus/);
  rejects({ HostConfig: { Binds: ['/a:/c', '/b:/c/'] } }, /Duplicate mount point: \/c/);
});

test('storage: named and anonymous volumes from -v, --mount, Config.Volumes and VolumesFrom', () => {
  const s = map({
    Volumes: { '/anon': {}, '/named': {} },
    HostConfig: {
      Binds: ['data:/named:ro', 'other:/o:nocopy', '/just-a-path'],
      Mounts: [
        {
          Type: 'volume',
          Source: 'mv',
          Target: '/m',
          VolumeOptions: { NoCopy: true, Labels: { a: 'b' }, DriverConfig: { Name: 'local' } },
        },
        { Type: 'volume', Target: '/m-anon', ReadOnly: true },
      ],
      VolumesFrom: ['web:ro'],
    },
  }).storage;
  const v = (name: string, destination: string, more: Record<string, unknown> = {}): unknown => ({
    name,
    destination,
    readonly: false,
    nocopy: false,
    anonymous: name === '',
    ...more,
  });
  assert.deepEqual(s.volumes, [
    v('data', '/named', { readonly: true }),
    v('other', '/o', { nocopy: true }),
    v('', '/just-a-path'),
    v('mv', '/m', { nocopy: true, driver: 'local', labels: { a: 'b' } }),
    v('', '/m-anon', { readonly: true }),
    // Config.Volumes: /named is covered by the bind of `data`, so only /anon is added.
    v('', '/anon'),
  ]);
  assert.deepEqual(s.volumesFrom, ['web:ro']);
  rejects(
    { HostConfig: { Binds: ['data:rel'] } },
    /invalid mount config for type "volume": invalid mount path: 'rel' mount path must be absolute/,
  );
  rejects({ HostConfig: { Binds: ['data:/c:rshared'] } }, /invalid mode: rshared/);
  rejects({ HostConfig: { Binds: ['data:/c', '/h:/c'] } }, /Duplicate mount point: \/c/);
  rejects(
    { HostConfig: { Mounts: [{ Type: 'volume', Target: 'v' }] } },
    /^invalid mount config for type "volume": invalid mount path: 'v' mount path must be absolute$/,
  );
  rejects(
    { HostConfig: { Mounts: [{ Type: 'bind', Target: '/v' }] } },
    /^invalid mount config for type "bind": field Source must not be empty$/,
  );
  rejects(
    {
      HostConfig: { Mounts: [{ Type: 'bind', Source: '/h', Target: '/v', VolumeOptions: { NoCopy: true } }] },
    },
    /field VolumeOptions must not be specified/,
  );
  assert.throws(() => map({ HostConfig: { Binds: ['a/b:/c'] } }), {
    code: 'volume.invalid',
    message: /^create a\/b: "a\/b" includes invalid characters for a local volume name/,
  });
});

test('security fields', () => {
  assert.deepEqual(
    map({
      HostConfig: {
        Privileged: true,
        CapAdd: ['NET_ADMIN'],
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges'],
        MaskedPaths: [],
        ReadonlyPaths: ['/proc/sys'],
      },
    }).security,
    {
      privileged: true,
      capAdd: ['NET_ADMIN'],
      capDrop: ['ALL'],
      securityOpt: ['no-new-privileges'],
      maskedPaths: [],
      readonlyPaths: ['/proc/sys'],
    },
  );
});

test('resources map, zero means unset, and Docker-worded checks', () => {
  const r = map({
    HostConfig: {
      Memory: 64 * 1024 * 1024,
      MemorySwap: 128 * 1024 * 1024,
      MemoryReservation: 32 * 1024 * 1024,
      CpuShares: 512,
      CpuQuota: 50000,
      CpuPeriod: 100000,
      CpusetCpus: '0-1',
      PidsLimit: 100,
      Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 2048 }],
      ShmSize: 1048576,
    },
  }).resources;
  assert.deepEqual(r, {
    memory: 64 * 1024 * 1024,
    memorySwap: 128 * 1024 * 1024,
    memoryReservation: 32 * 1024 * 1024,
    cpuShares: 512,
    cpuQuota: 50000,
    cpuPeriod: 100000,
    cpusetCpus: '0-1',
    pidsLimit: 100,
    ulimits: [{ name: 'nofile', soft: 1024, hard: 2048 }],
    shmSize: 1048576,
  });
  assert.deepEqual(
    map({ HostConfig: { NanoCpus: 1.5e9, PidsLimit: -1, MemorySwap: -1, Memory: 8e6 } }).resources,
    {
      memory: 8e6,
      memorySwap: -1,
      nanoCpus: 1.5e9,
      ulimits: [],
    },
  );
  rejects({ HostConfig: { Memory: -1 } }, /Minimum memory limit allowed is 6MB/);
  rejects({ HostConfig: { MemorySwap: 1e9 } }, /always set the Memory limit/);
  rejects(
    { HostConfig: { Memory: 1e9, MemorySwap: 1e8 } },
    /memoryswap limit should be larger than memory limit/,
  );
  rejects(
    { HostConfig: { NanoCpus: 1e9, CpuPeriod: 100000 } },
    /Nano CPUs and CPU Period cannot both be set/,
  );
  rejects({ HostConfig: { NanoCpus: 3e9 } }, /Range of CPUs is from 0.01 to 2.00/);
  rejects({ HostConfig: { CpuPeriod: 10 } }, /CPU cfs period can not be less than 1ms/);
  rejects({ HostConfig: { CpuQuota: 10 } }, /CPU cfs quota can not be less than 1ms/);
  rejects({ HostConfig: { CpusetCpus: 'x' } }, /Invalid value x for cpuset cpus/);
  rejects({ HostConfig: { ShmSize: -5 } }, /SHM size can not be less than 0/);
  rejects(
    { HostConfig: { Ulimits: [{ Name: 'nofile', Soft: 10, Hard: 5 }] } },
    /soft limit must be less than or equal to hard limit/,
  );
  rejects({ HostConfig: { Memory: 'lots' } }, /^HostConfig.Memory: expected an integer/);
});

test('network: default and bridge map to bridge; DNS, hosts, ports', () => {
  assert.equal(map({}).network.mode, 'bridge');
  assert.equal(map({ HostConfig: { NetworkMode: 'default' } }).network.mode, 'bridge');
  assert.equal(map({ HostConfig: { NetworkMode: 'host' } }).network.mode, 'host');
  assert.equal(map({ HostConfig: { NetworkMode: 'none' } }).network.mode, 'none');
  assert.equal(map({ NetworkDisabled: true }).network.mode, 'none');
  const n = map({
    HostConfig: {
      Dns: ['1.1.1.1'],
      DnsSearch: ['example.org'],
      DnsOptions: ['ndots:2'],
      ExtraHosts: ['db:10.0.0.2', 'gw=10.0.0.1'],
      PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }], '53/udp': [{ HostPort: '' }] },
      PublishAllPorts: true,
    },
  }).network;
  assert.deepEqual(n, {
    mode: 'bridge',
    dns: ['1.1.1.1'],
    dnsSearch: ['example.org'],
    dnsOptions: ['ndots:2'],
    extraHosts: ['db:10.0.0.2', 'gw=10.0.0.1'],
    portBindings: {
      '80/tcp': [{ hostIp: '127.0.0.1', hostPort: '8080' }],
      '53/udp': [{ hostIp: '', hostPort: '' }],
    },
    publishAll: true,
  });
  rejects({ HostConfig: { ExtraHosts: ['nocolon'] } }, /invalid IP address in add-host/);
  rejects({ HostConfig: { PortBindings: { '80/tcp': [{ HostPort: 'x' }] } } }, /invalid host port: x/);
  rejects(
    { NetworkingConfig: { EndpointsConfig: { a: {}, b: {} } } },
    /cannot be connected to network endpoints: a, b/,
  );
});

test('lifecycle: restart policies, AutoRemove, and their conflicts', () => {
  assert.deepEqual(map({ HostConfig: { AutoRemove: true } }).lifecycle, {
    autoRemove: true,
    restartPolicy: { name: 'no', maximumRetryCount: 0 },
  });
  assert.deepEqual(
    map({ HostConfig: { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 } } }).lifecycle,
    {
      autoRemove: false,
      restartPolicy: { name: 'on-failure', maximumRetryCount: 3 },
    },
  );
  assert.equal(map({ HostConfig: { RestartPolicy: { Name: '' } } }).lifecycle.restartPolicy.name, 'no');
  rejects({ HostConfig: { RestartPolicy: { Name: 'sometimes' } } }, /unknown policy 'sometimes'/);
  rejects(
    { HostConfig: { RestartPolicy: { Name: 'always', MaximumRetryCount: 2 } } },
    /can only be used with 'on-failure'/,
  );
  rejects(
    { HostConfig: { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: -1 } } },
    /cannot be negative/,
  );
  rejects(
    { HostConfig: { AutoRemove: true, RestartPolicy: { Name: 'always' } } },
    /conflicting options: cannot specify both/,
  );
});

test('logging, runtime and refused features', () => {
  const s = map({
    HostConfig: { LogConfig: { Type: 'k8s-file', Config: { 'max-size': '1m' } }, Runtime: 'runc' },
  });
  assert.deepEqual(s.logging, { driver: 'k8s-file', options: { 'max-size': '1m' } });
  assert.equal(s.runtime, 'runc');
  rejects({ HostConfig: { LogConfig: { Type: 'gelf' } } }, /logging driver "gelf" is not supported/);
  rejects({ HostConfig: { LogConfig: { Type: 'syslog' } } }, /syslog needs --log-opt syslog-address/);
  rejects(
    { HostConfig: { LogConfig: { Type: 'syslog', Config: { 'syslog-address': 'unixgram:///dev/log' } } } },
    /scheme unixgram is not supported/,
  );
  rejects(
    { HostConfig: { LogConfig: { Type: 'json-file', Config: { 'max-sise': '1m' } } } },
    /unknown log opt 'max-sise' for json-file log driver/,
  );
  assert.equal(map({ HostConfig: { LogConfig: { Type: 'json-file' } } }).logging.driver, 'json-file');
  assert.equal(map({ HostConfig: { LogConfig: { Type: 'none' } } }).logging.driver, 'none');
  assert.equal(map({ HostConfig: { LogConfig: { Type: 'local' } } }).logging.driver, 'local');
  assert.deepEqual(map({ Healthcheck: { Test: ['CMD', 'true'], Interval: 2e9, Retries: 3 } }).health, {
    test: ['CMD', 'true'],
    interval: 2e9,
    retries: 3,
  });
  assert.deepEqual(map({ Healthcheck: { Test: ['NONE'] } }).health, { test: ['NONE'] });
  rejects({ Healthcheck: { Test: ['CMD'] } }, /CMD needs a command/);
  rejects({ Healthcheck: { Test: ['RUN', 'x'] } }, /the first item must be NONE, CMD or CMD-SHELL/);
  rejects(
    { Healthcheck: { Test: ['CMD', 'x'], Timeout: 5 } },
    /Timeout in Healthcheck cannot be less than 1ms/,
  );
  rejects({ Healthcheck: { Test: ['CMD', 'x'], Retries: -1 } }, /Retries in Healthcheck cannot be negative/);
  rejects({ Healthcheck: { Test: ['CMD', 'x'], OnFailure: 'explode' } }, /invalid Healthcheck.OnFailure/);
  rejects({ HostConfig: { Links: ['a:b'] } }, /HostConfig.Links is not supported yet/);
});

test('devices, groups and namespace modes reach the security spec', () => {
  const s = map({
    HostConfig: {
      Devices: [{ PathOnHost: '/dev/null', PathInContainer: '', CgroupPermissions: '' }],
      GroupAdd: ['audio', '1234'],
      IpcMode: 'shareable',
      PidMode: 'host',
      UTSMode: 'host',
      UsernsMode: 'host',
    },
  }).security;
  assert.deepEqual(s.devices, [
    { pathOnHost: '/dev/null', pathInContainer: '/dev/null', cgroupPermissions: 'rwm' },
  ]);
  assert.deepEqual(s.groupAdd, ['audio', '1234']);
  assert.equal(s.ipcMode, 'shareable');
  assert.equal(s.pidMode, 'host');
  assert.equal(s.utsMode, 'host');
  assert.equal(s.usernsMode, 'host');
  assert.equal(map({ HostConfig: { IpcMode: 'private' } }).security.ipcMode, undefined);
  rejects(
    { HostConfig: { Devices: [{ PathOnHost: '/dev/null', CgroupPermissions: 'rx' }] } },
    /^invalid device mode: rx$/,
  );
  rejects({ HostConfig: { Devices: [{ PathOnHost: 'null' }] } }, /^bad format for path: null$/);
});

test('create refuses what would only fail at start: nameless env, a mount over /, an overlong hostname', () => {
  rejects({ Env: ['=x'] }, /^invalid environment variable: =x$/);
  rejects({ Env: ['A=1', ''] }, /^invalid environment variable: $/);
  assert.deepEqual(map({ Env: ['A=1', 'B', 'C='] }).basic.env, ['A=1', 'B', 'C=']);
  rejects(
    { HostConfig: { Binds: ['/tmp:/'] } },
    /^invalid volume specification: '\/tmp:\/': invalid mount config for type "bind": invalid specification: destination can't be '\/'$/,
  );
  rejects({ HostConfig: { Binds: ['/tmp:/.'] } }, /destination can't be '\/'/);
  rejects(
    { HostConfig: { Mounts: [{ Type: 'bind', Source: '/tmp', Target: '/' }] } },
    /destination can't be '\/'/,
  );
  rejects(
    { HostConfig: { Mounts: [{ Type: 'tmpfs', Target: '//' }] } },
    /type "tmpfs".*destination can't be '\/'/,
  );
  rejects({ HostConfig: { Tmpfs: { '/': '' } } }, /destination can't be '\/'/);
  rejects({ Hostname: 'h'.repeat(300) }, /^invalid hostname format: h+$/);
  rejects({ Hostname: 'a b' }, /^invalid hostname format: a b$/);
  assert.equal(map({ Hostname: 'h'.repeat(64) }).basic.hostname, 'h'.repeat(64));
  rejects({ Domainname: 'd'.repeat(65) }, /^invalid domainname format/);
});

test('tmpfs options are checked at create and kept as written', () => {
  rejects({ HostConfig: { Tmpfs: { '/x': 'size=1m,bogus' } } }, /invalid tmpfs option "bogus"/);
  assert.deepEqual(map({ HostConfig: { Tmpfs: { '/x': 'exec,size=1m' } } }).storage.tmpfs, [
    { destination: '/x', options: ['exec', 'size=1m'] },
  ]);
});
