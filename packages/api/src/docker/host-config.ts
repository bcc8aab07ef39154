import type { BindMount, BlkioDeviceValue, ContainerRecord } from '@polis/core';

const DEFAULT_SHM = 64 * 1024 * 1024;

/** `/host:/ctr:ro,rshared` as Docker writes Binds back. */
export function bindText(b: BindMount): string {
  const mode = bindMode(b);
  return `${b.source}:${b.destination}${mode ? `:${mode}` : ''}`;
}

function bindMode(b: BindMount): string {
  return [b.readonly ? 'ro' : '', b.propagation ?? ''].filter(Boolean).join(',');
}

/** Where a volume's data lives on the host, by name (`undefined` once it is gone). */
export type VolumeSource = (name: string) => string | undefined;

/** Docker's MountPoint entries (inspect `Mounts`, list `Mounts`): binds, then volumes. */
export function mountPoints(record: ContainerRecord, volumeSource?: VolumeSource): Record<string, unknown>[] {
  const binds = record.spec.storage.binds.map((b) => ({
    Type: 'bind',
    Source: b.source,
    Destination: b.destination,
    Mode: bindMode(b),
    RW: !b.readonly,
    Propagation: b.propagation ?? 'rprivate',
  }));
  const volumes = (record.spec.storage.volumes ?? []).map((v) => ({
    Type: 'volume',
    Name: v.name,
    Source: volumeSource?.(v.name) ?? '',
    Destination: v.destination,
    Driver: v.driver ?? 'local',
    Mode: [v.readonly ? 'ro' : '', v.nocopy ? 'nocopy' : ''].filter(Boolean).join(',') || 'z',
    RW: !v.readonly,
    Propagation: '',
  }));
  return [...binds, ...volumes];
}

/** Per-device block I/O settings as Docker shows them: `[{Path, Weight}]` or `[{Path, Rate}]`. */
function devices(list: BlkioDeviceValue[] | undefined, key: 'Weight' | 'Rate'): Record<string, unknown>[] {
  return (list ?? []).map((d) => ({ Path: d.path, [key]: d.value }));
}

function listOrNull<T>(items: T[]): T[] | null {
  return items.length > 0 ? items : null;
}

/** The container's HostConfig in Docker's shape, every field the docker CLI and SDKs read, with Docker's defaults. */
export function hostConfigOf(record: ContainerRecord): Record<string, unknown> {
  const { storage, security, resources: r, network, lifecycle, logging, basic } = record.spec;
  const portBindings = Object.fromEntries(
    Object.entries(network.portBindings).map(([port, list]) => [
      port,
      list.map((b) => ({ HostIp: b.hostIp, HostPort: b.hostPort })),
    ]),
  );
  const host: Record<string, unknown> = {
    Binds: listOrNull([
      ...storage.binds.map(bindText),
      ...(storage.volumes ?? [])
        .filter((v) => !v.anonymous)
        .map((v) => `${v.name}:${v.destination}${v.readonly ? ':ro' : ''}`),
    ]),
    ContainerIDFile: '',
    LogConfig: { Type: logging.driver, Config: logging.options },
    NetworkMode: network.mode,
    PortBindings: portBindings,
    RestartPolicy: {
      Name: lifecycle.restartPolicy.name,
      MaximumRetryCount: lifecycle.restartPolicy.maximumRetryCount,
    },
    AutoRemove: lifecycle.autoRemove,
    VolumeDriver: '',
    VolumesFrom: listOrNull(storage.volumesFrom ?? []),
    ConsoleSize: basic.consoleSize ?? [0, 0],
    CapAdd: listOrNull(security.capAdd),
    CapDrop: listOrNull(security.capDrop),
    CgroupnsMode: security.cgroupns ?? 'private',
    Dns: network.dns,
    DnsOptions: network.dnsOptions,
    DnsSearch: network.dnsSearch,
    ExtraHosts: listOrNull(network.extraHosts),
    GroupAdd: null,
    IpcMode: 'private',
    Cgroup: '',
    Links: null,
    OomScoreAdj: r.oomScoreAdj ?? 0,
    PidMode: '',
    Privileged: security.privileged,
    PublishAllPorts: network.publishAll,
    ReadonlyRootfs: storage.readonlyRootfs,
    SecurityOpt: listOrNull(security.securityOpt),
    UTSMode: '',
    UsernsMode: security.usernsMode ?? '',
    ShmSize: r.shmSize ?? DEFAULT_SHM,
    Runtime: record.runtime,
    Isolation: '',
    CpuShares: r.cpuShares ?? 0,
    Memory: r.memory ?? 0,
    NanoCpus: r.nanoCpus ?? 0,
    CgroupParent: '',
    BlkioWeight: r.blkioWeight ?? 0,
    BlkioWeightDevice: devices(r.blkioWeightDevice, 'Weight'),
    BlkioDeviceReadBps: devices(r.blkioDeviceReadBps, 'Rate'),
    BlkioDeviceWriteBps: devices(r.blkioDeviceWriteBps, 'Rate'),
    BlkioDeviceReadIOps: devices(r.blkioDeviceReadIOps, 'Rate'),
    BlkioDeviceWriteIOps: devices(r.blkioDeviceWriteIOps, 'Rate'),
    CpuPeriod: r.cpuPeriod ?? 0,
    CpuQuota: r.cpuQuota ?? 0,
    CpuRealtimePeriod: r.cpuRealtimePeriod ?? 0,
    CpuRealtimeRuntime: r.cpuRealtimeRuntime ?? 0,
    CpusetCpus: r.cpusetCpus ?? '',
    CpusetMems: r.cpusetMems ?? '',
    Devices: [],
    DeviceCgroupRules: security.deviceCgroupRules ?? null,
    DeviceRequests: null,
    KernelMemory: 0,
    KernelMemoryTCP: 0,
    MemoryReservation: r.memoryReservation ?? 0,
    MemorySwap: r.memorySwap ?? 0,
    MemorySwappiness: r.memorySwappiness ?? null,
    OomKillDisable: r.oomKillDisable ?? false,
    PidsLimit: r.pidsLimit ?? null,
    Ulimits: listOrNull(r.ulimits.map((u) => ({ Name: u.name, Soft: u.soft, Hard: u.hard }))),
    CpuCount: 0,
    CpuPercent: 0,
    IOMaximumIOps: 0,
    IOMaximumBandwidth: 0,
    MaskedPaths: security.maskedPaths ?? null,
    ReadonlyPaths: security.readonlyPaths ?? null,
  };
  if (storage.tmpfs.length > 0) {
    host.Tmpfs = Object.fromEntries(storage.tmpfs.map((t) => [t.destination, t.options.join(',')]));
  }
  if (basic.init) host.Init = true;
  if (security.sysctls) host.Sysctls = security.sysctls;
  return host;
}
