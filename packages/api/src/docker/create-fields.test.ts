import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPolisError, type ContainerRecord } from '@polis/core';
import { FULL_SUPPORT, type CgroupSupport } from './cgroup-support.js';
import { createRequestFrom, type CreateRequest } from './create-body.js';
import { CREATE_FIELDS } from './create-fields.js';
import { hostConfigOf } from './host-config.js';

/** The create body's fields in moby's api/docs/v1.41.yaml: ContainerConfig, HostConfig, NetworkingConfig. */
const API_FIELDS = [
  ...'Hostname Domainname User AttachStdin AttachStdout AttachStderr ExposedPorts Tty OpenStdin StdinOnce Env Cmd Healthcheck ArgsEscaped Image Volumes WorkingDir Entrypoint NetworkDisabled MacAddress OnBuild Labels StopSignal StopTimeout Shell'.split(
    ' ',
  ),
  ...'CpuShares Memory CgroupParent BlkioWeight BlkioWeightDevice BlkioDeviceReadBps BlkioDeviceWriteBps BlkioDeviceReadIOps BlkioDeviceWriteIOps CpuPeriod CpuQuota CpuRealtimePeriod CpuRealtimeRuntime CpusetCpus CpusetMems Devices DeviceCgroupRules DeviceRequests KernelMemory KernelMemoryTCP MemoryReservation MemorySwap MemorySwappiness NanoCpus OomKillDisable Init PidsLimit Ulimits CpuCount CpuPercent IOMaximumIOps IOMaximumBandwidth Binds ContainerIDFile LogConfig NetworkMode PortBindings RestartPolicy AutoRemove VolumeDriver VolumesFrom Mounts CapAdd CapDrop CgroupnsMode Dns DnsOptions DnsSearch ExtraHosts GroupAdd IpcMode Cgroup Links OomScoreAdj PidMode Privileged PublishAllPorts ReadonlyRootfs SecurityOpt StorageOpt Tmpfs UTSMode UsernsMode ShmSize Sysctls Runtime ConsoleSize Isolation MaskedPaths ReadonlyPaths'
    .split(' ')
    .map((k) => `HostConfig.${k}`),
  'NetworkingConfig',
];

const MB = 1024 * 1024;
const DEV = '/dev/vda';
const throttle = [{ Path: DEV, Rate: MB }];

type Body = Record<string, unknown>;
interface Sample {
  /** The field's value (or, for fields needing company, the whole fragment in `body`). */
  value?: unknown;
  body?: Body;
  /** Added to both the baseline and the sample, when the field needs another to make sense. */
  base?: Body;
  /** For warned rows: the warning. */
  warning?: RegExp;
  /** For refused rows: the message. */
  message?: RegExp;
}

/** One sample per table row: the test fails for a field the table lists without one. */
const SAMPLES: Record<string, Sample> = {
  Hostname: { value: 'h1' },
  Domainname: { value: 'example.com' },
  User: { value: 'nobody' },
  AttachStdin: { value: true },
  AttachStdout: { value: true },
  AttachStderr: { value: true },
  ExposedPorts: { value: { '80/tcp': {} } },
  Tty: { value: true },
  OpenStdin: { value: true },
  StdinOnce: { value: true },
  Env: { value: ['A=1'] },
  Cmd: { value: ['sh'] },
  Healthcheck: { value: { Test: ['CMD', 'true'] } },
  ArgsEscaped: { value: true },
  Image: { value: 'alpine' },
  Volumes: { value: { '/data': {} } },
  WorkingDir: { value: '/tmp' },
  Entrypoint: { value: ['sh'] },
  NetworkDisabled: { value: true },
  MacAddress: { value: '02:42:ac:11:00:99', warning: /^MacAddress is not supported by Polis/ },
  OnBuild: { value: ['RUN true'] },
  Labels: { value: { a: 'b' } },
  StopSignal: { value: 'SIGINT' },
  StopTimeout: { value: 3 },
  Shell: { value: ['/bin/sh', '-c'] },
  'HostConfig.CpuShares': { value: 512 },
  'HostConfig.Memory': { value: 64 * MB },
  'HostConfig.CgroupParent': { value: 'mine' },
  'HostConfig.BlkioWeight': { value: 300 },
  'HostConfig.BlkioWeightDevice': { value: [{ Path: DEV, Weight: 200 }] },
  'HostConfig.BlkioDeviceReadBps': { value: throttle },
  'HostConfig.BlkioDeviceWriteBps': { value: throttle },
  'HostConfig.BlkioDeviceReadIOps': { value: throttle },
  'HostConfig.BlkioDeviceWriteIOps': { value: throttle },
  'HostConfig.CpuPeriod': { value: 50_000 },
  'HostConfig.CpuQuota': { value: 20_000 },
  'HostConfig.CpuRealtimePeriod': { value: 1_000_000 },
  'HostConfig.CpuRealtimeRuntime': { value: 1000 },
  'HostConfig.CpusetCpus': { value: '0' },
  'HostConfig.CpusetMems': { value: '0' },
  'HostConfig.Devices': {
    value: [{ PathOnHost: '/dev/null', PathInContainer: '/dev/n', CgroupPermissions: 'rwm' }],
  },
  'HostConfig.DeviceCgroupRules': { value: ['c 1:3 mr'] },
  'HostConfig.DeviceRequests': { value: [{ Count: 1 }], message: /DeviceRequests is not supported yet/ },
  'HostConfig.KernelMemory': {
    value: 64 * MB,
    warning: /^Specifying a kernel memory limit is deprecated and will be removed in a future release\.$/,
  },
  'HostConfig.KernelMemoryTCP': { value: 64 * MB, warning: /kernel memory TCP limit is deprecated/ },
  'HostConfig.MemoryReservation': { value: 32 * MB },
  'HostConfig.MemorySwap': { value: 128 * MB, base: { HostConfig: { Memory: 64 * MB } } },
  'HostConfig.MemorySwappiness': { value: 10 },
  'HostConfig.NanoCpus': { value: 500_000_000 },
  'HostConfig.OomKillDisable': { value: true, base: { HostConfig: { Memory: 64 * MB } } },
  'HostConfig.Init': { value: true },
  'HostConfig.PidsLimit': { value: 10 },
  'HostConfig.Ulimits': { value: [{ Name: 'nofile', Soft: 10, Hard: 10 }] },
  'HostConfig.CpuCount': { value: 1, warning: /^linux does not support CPU count\. Count discarded\.$/ },
  'HostConfig.CpuPercent': {
    value: 50,
    warning: /^linux does not support CPU percent\. Percent discarded\.$/,
  },
  'HostConfig.IOMaximumIOps': {
    value: 10,
    message: /^invalid option: QoS maximum IOPs configuration is not supported on linux$/,
  },
  'HostConfig.IOMaximumBandwidth': {
    value: 10,
    message: /^invalid option: QoS maximum bandwidth configuration is not supported on linux$/,
  },
  'HostConfig.Binds': { value: ['/tmp:/t'] },
  'HostConfig.ContainerIDFile': { value: '/tmp/id' },
  'HostConfig.LogConfig': { value: { Type: 'k8s-file', Config: { 'max-size': '1m' } } },
  'HostConfig.NetworkMode': { value: 'host' },
  'HostConfig.PortBindings': { value: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] } },
  'HostConfig.RestartPolicy': { value: { Name: 'always' } },
  'HostConfig.AutoRemove': { value: true },
  'HostConfig.VolumeDriver': { value: 'local', base: { HostConfig: { Binds: ['vol:/v'] } } },
  'HostConfig.VolumesFrom': { value: ['c'] },
  'HostConfig.Mounts': { value: [{ Type: 'tmpfs', Target: '/m' }] },
  'HostConfig.CapAdd': { value: ['NET_ADMIN'] },
  'HostConfig.CapDrop': { value: ['CHOWN'] },
  'HostConfig.CgroupnsMode': { value: 'host' },
  'HostConfig.Dns': { value: ['1.1.1.1'] },
  'HostConfig.DnsOptions': { value: ['ndots:1'] },
  'HostConfig.DnsSearch': { value: ['example.com'] },
  'HostConfig.ExtraHosts': { value: ['a:1.2.3.4'] },
  'HostConfig.GroupAdd': { value: ['audio'] },
  'HostConfig.IpcMode': { value: 'host' },
  'HostConfig.Cgroup': { value: 'container:x', message: /Cgroup is not supported yet/ },
  'HostConfig.Links': { value: ['a:b'], message: /Links is not supported yet/ },
  'HostConfig.OomScoreAdj': { value: 500 },
  'HostConfig.PidMode': { value: 'host' },
  'HostConfig.Privileged': { value: true },
  'HostConfig.PublishAllPorts': { value: true },
  'HostConfig.ReadonlyRootfs': { value: true },
  'HostConfig.SecurityOpt': { value: ['no-new-privileges'] },
  'HostConfig.StorageOpt': {
    value: { size: '10G' },
    message: /^--storage-opt is supported only for overlay over xfs with 'pquota' mount option$/,
  },
  'HostConfig.Tmpfs': { value: { '/t': '' } },
  'HostConfig.UTSMode': { value: 'host' },
  'HostConfig.UsernsMode': { value: 'host' },
  'HostConfig.ShmSize': { value: MB },
  'HostConfig.Sysctls': { value: { 'net.ipv4.ip_forward': '1' } },
  'HostConfig.Runtime': { value: 'runc' },
  'HostConfig.ConsoleSize': { value: [24, 80], base: { Tty: true } },
  'HostConfig.Isolation': {
    value: 'hyperv',
    message: /^invalid isolation \(hyperv\): linux only supports 'default'$/,
  },
  'HostConfig.MaskedPaths': { value: ['/proc/x'] },
  'HostConfig.ReadonlyPaths': { value: ['/proc/y'] },
  NetworkingConfig: {
    value: { EndpointsConfig: { mynet: { Aliases: ['a'] } } },
    base: { HostConfig: { NetworkMode: 'mynet' } },
  },
};

function merge(a: Body, b: Body): Body {
  const out: Body = { ...a };
  for (const [k, v] of Object.entries(b)) {
    out[k] = k === 'HostConfig' && typeof out[k] === 'object' ? { ...(out[k] as Body), ...(v as Body) } : v;
  }
  return out;
}

function bodyOf(field: string, value: unknown): Body {
  return field.startsWith('HostConfig.')
    ? { HostConfig: { [field.slice('HostConfig.'.length)]: value } }
    : { [field]: value };
}

const stat = (path: string): unknown => {
  if (path !== DEV) throw Object.assign(new Error(`no ${path}`), { code: 'request.invalid' });
  return { major: 254, minor: 0 };
};

function translate(body: Body, support: CgroupSupport = FULL_SUPPORT): CreateRequest {
  return createRequestFrom(merge({ Image: 'busybox' }, body), { ncpu: 2, support, statDevice: stat });
}

describe('the create-field table', () => {
  it('lists every field of the 1.41 create body exactly once', () => {
    const listed = CREATE_FIELDS.map((r) => r.field);
    assert.equal(new Set(listed).size, listed.length, 'no duplicates');
    assert.deepEqual([...listed].sort(), [...API_FIELDS].sort());
  });

  for (const row of CREATE_FIELDS) {
    it(`${row.field} is ${row.handling}`, () => {
      const sample = SAMPLES[row.field];
      assert.ok(sample, `a sample value for ${row.field}`);
      const base = sample.base ?? {};
      const body = merge(base, sample.body ?? bodyOf(row.field, sample.value));
      if (row.handling === 'refused') {
        assert.throws(
          () => translate(body),
          (e) => isPolisError(e, 'request.invalid') && (sample.message?.test(e.message) ?? true),
        );
        assert.ok(sample.message, 'a refusal names its message');
        return;
      }
      const baseline = translate(base);
      const got = translate(body);
      if (row.handling === 'applied') {
        assert.notDeepEqual(got.spec, baseline.spec, 'the field changes the spec');
        assert.deepEqual(got.warnings, baseline.warnings, 'no warning of its own');
      } else if (row.handling === 'warned') {
        assert.deepEqual(got.spec, baseline.spec, 'discarded');
        assert.equal(got.warnings.length, baseline.warnings.length + 1);
        assert.ok(
          sample.warning && got.warnings.some((w) => sample.warning?.test(w)),
          got.warnings.join('\n'),
        );
      } else {
        assert.deepEqual(got.spec, baseline.spec, 'no effect, as in Docker');
        assert.deepEqual(got.warnings, baseline.warnings);
      }
    });
  }
});

describe('settings the host cannot enforce', () => {
  const none: CgroupSupport = {
    ...FULL_SUPPORT,
    blkioWeight: false,
    blkioWeightDevice: false,
    blkioReadBps: false,
    blkioWriteBps: false,
    blkioReadIOps: false,
    blkioWriteIOps: false,
    memorySwappiness: false,
    oomKillDisable: false,
    cpuset: false,
    cpuRealtime: false,
  };

  it("are discarded with Docker's warnings", () => {
    const { spec, warnings } = translate(
      {
        HostConfig: {
          BlkioWeight: 300,
          BlkioWeightDevice: [{ Path: DEV, Weight: 200 }],
          BlkioDeviceReadBps: throttle,
          BlkioDeviceWriteBps: throttle,
          BlkioDeviceReadIOps: throttle,
          BlkioDeviceWriteIOps: throttle,
          MemorySwappiness: 10,
          OomKillDisable: true,
          CpusetMems: '0',
        },
      },
      none,
    );
    assert.deepEqual(warnings, [
      'Your kernel does not support memory swappiness capabilities or the cgroup is not mounted. Memory swappiness discarded.',
      'Your kernel does not support OomKillDisable. OomKillDisable discarded.',
      'Your kernel does not support cpuset or the cgroup is not mounted. Cpuset discarded.',
      'Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.',
      'Your kernel does not support BPS Block I/O read limit or the cgroup is not mounted. Block I/O BPS read limit discarded.',
      'Your kernel does not support BPS Block I/O write limit or the cgroup is not mounted. Block I/O BPS write limit discarded.',
      'Your kernel does not support IOPS Block read limit or the cgroup is not mounted. Block I/O IOPS read limit discarded.',
      'Your kernel does not support IOPS Block write limit or the cgroup is not mounted. Block I/O IOPS write limit discarded.',
      'Your kernel does not support Block I/O weight_device or the cgroup is not mounted. Weight-device discarded.',
    ]);
    assert.deepEqual(spec.resources, { ulimits: [] });
  });

  it("basic limits the host cannot enforce are discarded with Docker's warnings", () => {
    const { spec, warnings } = translate(
      {
        HostConfig: {
          Memory: 64 << 20,
          MemoryReservation: 32 << 20,
          CpuShares: 512,
          CpuPeriod: 50_000,
          CpuQuota: 25_000,
          CpusetCpus: '0',
          PidsLimit: 20,
        },
      },
      {
        ...FULL_SUPPORT,
        swapLimit: false,
        memoryReservation: false,
        cpuShares: false,
        cpuCfs: false,
        cpuset: false,
        pidsLimit: false,
      },
    );
    assert.deepEqual(warnings, [
      'Your kernel does not support swap limit capabilities or the cgroup is not mounted. Memory limited without swap.',
      'Your kernel does not support memory soft limit capabilities or the cgroup is not mounted. Limitation discarded.',
      'Your kernel does not support CPU shares or the cgroup is not mounted. Shares discarded.',
      'Your kernel does not support CPU cfs period or the cgroup is not mounted. Period discarded.',
      'Your kernel does not support CPU cfs quota or the cgroup is not mounted. Quota discarded.',
      'Your kernel does not support cpuset or the cgroup is not mounted. Cpuset discarded.',
      'Your kernel does not support PIDs limit capabilities or the cgroup is not mounted. PIDs limit discarded.',
    ]);
    // The memory limit stays, without swap (-1: no memsw write); the rest is gone.
    assert.deepEqual(spec.resources, { memory: 64 << 20, memorySwap: -1, ulimits: [] });
    const noMemory = translate(
      { HostConfig: { Memory: 64 << 20, MemorySwap: 128 << 20 } },
      { ...FULL_SUPPORT, memoryLimit: false },
    );
    assert.deepEqual(noMemory.warnings, [
      'Your kernel does not support memory limit capabilities or the cgroup is not mounted. Limitation discarded.',
    ]);
    assert.deepEqual(noMemory.spec.resources, { ulimits: [] });
    assert.throws(() => translate({ HostConfig: { NanoCpus: 5e8 } }, { ...FULL_SUPPORT, cpuCfs: false }), {
      message:
        'NanoCPUs can not be set, as your kernel does not support CPU CFS scheduler or the cgroup is not mounted',
    });
  });

  it("cpuset CPUs the host lacks are refused in Docker's words", () => {
    assert.throws(() => translate({ HostConfig: { CpusetCpus: '1-3' } }), {
      message: 'Requested CPUs are not available - requested 1-3, available: 0-1',
    });
    assert.throws(() => translate({ HostConfig: { CpusetCpus: 'x' } }), {
      message: 'Invalid value x for cpuset cpus',
    });
    assert.equal(translate({ HostConfig: { CpusetCpus: '1' } }).spec.resources.cpusetCpus, '1');
  });

  it('a cgroup parent is kept, and one that climbs out is refused', () => {
    assert.equal(translate({ HostConfig: { CgroupParent: 'mine' } }).spec.resources.cgroupParent, 'mine');
    assert.throws(() => translate({ HostConfig: { CgroupParent: '../x' } }), {
      message: 'invalid cgroup-parent "../x"',
    });
    assert.throws(
      () =>
        createRequestFrom(
          { Image: 'busybox', HostConfig: { CgroupParent: '/x' } },
          { support: FULL_SUPPORT, cgroupDriver: 'systemd' },
        ),
      { message: 'cgroup-parent for systemd cgroup should be a valid slice named as "xxx.slice"' },
    );
  });

  it('real-time settings are refused without the real-time scheduler or time to give', () => {
    assert.throws(() => translate({ HostConfig: { CpuRealtimePeriod: 1000 } }, none), {
      message: 'Your kernel does not support CPU real-time scheduler',
    });
    assert.throws(
      () =>
        translate(
          { HostConfig: { CpuRealtimeRuntime: 1000 } },
          { ...FULL_SUPPORT, realtimeRuntimeForContainers: 0 },
        ),
      {
        message: /more than Polis's cgroup parent has to give \(0\)/,
      },
    );
  });
});

describe('checks of the applied settings', () => {
  const refused = (body: Body, message: RegExp): void =>
    assert.throws(
      () => translate(body),
      (e) => isPolisError(e, 'request.invalid') && message.test(e.message),
    );

  it('sysctls: only namespaced keys, and no net.* on the host network', () => {
    refused(
      { HostConfig: { Sysctls: { 'kernel.pid_max': '1' } } },
      /^sysctl "kernel.pid_max" is not in a separate kernel namespace$/,
    );
    refused(
      { HostConfig: { NetworkMode: 'host', Sysctls: { 'net.ipv4.ip_forward': '1' } } },
      /^sysctl "net.ipv4.ip_forward" not allowed in host network namespace$/,
    );
    assert.deepEqual(translate({ HostConfig: { Sysctls: { 'kernel.shmmax': '1' } } }).spec.security.sysctls, {
      'kernel.shmmax': '1',
    });
  });

  it('device rules, cgroupns, cpuset mems, device paths and weights', () => {
    refused(
      { HostConfig: { DeviceCgroupRules: ['x 1:3 r'] } },
      /^invalid device cgroup rule format: 'x 1:3 r'$/,
    );
    refused({ HostConfig: { CgroupnsMode: 'shared' } }, /^invalid cgroup namespace mode: shared$/);
    refused(
      { HostConfig: { CpusetMems: '1' } },
      /^Requested memory nodes are not available - requested 1, available: 0$/,
    );
    refused(
      { HostConfig: { BlkioDeviceReadBps: [{ Path: 'vda', Rate: 1 }] } },
      /^bad format for device path: vda$/,
    );
    refused({ HostConfig: { BlkioWeightDevice: [{ Path: DEV, Weight: 5 }] } }, /^invalid weight for device/);
    assert.throws(() =>
      translate({ HostConfig: { BlkioDeviceReadBps: [{ Path: '/dev/nosuch', Rate: 1 }] } }),
    );
  });

  it("OomKillDisable without a memory limit carries Docker's warning; MemorySwappiness -1 is unset", () => {
    assert.deepEqual(translate({ HostConfig: { OomKillDisable: true } }).warnings, [
      'OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.',
    ]);
    assert.equal(
      translate({ HostConfig: { MemorySwappiness: -1 } }).spec.resources.memorySwappiness,
      undefined,
    );
  });

  it('endpoint settings Polis cannot honour: IPv6, link-local and links refused; MAC and driver options warned', () => {
    const ep = (settings: Body): Body => ({
      HostConfig: { NetworkMode: 'mynet' },
      NetworkingConfig: { EndpointsConfig: { mynet: settings } },
    });
    refused(ep({ IPAMConfig: { IPv6Address: 'fd00::2' } }), /IPv6 is not supported yet/);
    refused(
      ep({ IPAMConfig: { LinkLocalIPs: ['169.254.0.9'] } }),
      /link-local addresses are not supported yet/,
    );
    refused(ep({ Links: ['a:b'] }), /Links is not supported yet/);
    assert.deepEqual(translate(ep({ MacAddress: '02:42:ac:11:00:99', DriverOpts: { a: 'b' } })).warnings, [
      'MacAddress is not supported by Polis: the container gets the MAC address network mynet derives from its IP. MacAddress discarded.',
      'The bridge driver of Polis takes no endpoint options: DriverOpts for network mynet discarded.',
    ]);
  });

  it("published ports with host networking carry Docker's warning", () => {
    const { warnings } = translate({
      HostConfig: { NetworkMode: 'host', PortBindings: { '80/tcp': [{ HostPort: '8080' }] } },
    });
    assert.deepEqual(warnings, ['Published ports are discarded when using host network mode']);
  });
});

describe('inspect shows the settings back', () => {
  it('HostConfig carries each applied value as given', () => {
    const host = {
      BlkioWeight: 300,
      BlkioWeightDevice: [{ Path: DEV, Weight: 200 }],
      BlkioDeviceReadBps: throttle,
      BlkioDeviceWriteBps: throttle,
      BlkioDeviceReadIOps: throttle,
      BlkioDeviceWriteIOps: throttle,
      CpuRealtimePeriod: 1_000_000,
      CpuRealtimeRuntime: 1000,
      CpusetMems: '0',
      DeviceCgroupRules: ['c 1:3 mr'],
      MemorySwappiness: 10,
      OomKillDisable: true,
      Memory: 64 * MB,
      OomScoreAdj: 500,
      CgroupnsMode: 'host',
      Sysctls: { 'net.ipv4.ip_forward': '1' },
      ConsoleSize: [24, 80],
    };
    const { spec } = translate({ Tty: true, HostConfig: host });
    const shown = hostConfigOf({ spec, runtime: 'crun' } as ContainerRecord);
    for (const [key, value] of Object.entries(host)) assert.deepEqual(shown[key], value, key);
  });
});
