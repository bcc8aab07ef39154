/** Docker Engine API v1.41 shapes for containers (only the fields Polis reads or writes). */
import type { EndpointConfig, EndpointSettings, HostBinding } from './network.js';

export interface RestartPolicy {
  Name: '' | 'no' | 'always' | 'on-failure' | 'unless-stopped';
  MaximumRetryCount?: number;
}

export interface UlimitSpec {
  Name: string;
  Soft: number;
  Hard: number;
}

export interface PortBinding {
  HostIp?: string;
  HostPort?: string;
}

export interface LogConfig {
  Type: string;
  Config: Record<string, string>;
}

/** One `HostConfig.Mounts` entry (`--mount`). */
export interface MountSpec {
  Type: 'bind' | 'volume' | 'tmpfs';
  Source?: string;
  Target: string;
  ReadOnly?: boolean;
  Consistency?: string;
  BindOptions?: { Propagation?: string; NonRecursive?: boolean };
  VolumeOptions?: {
    NoCopy?: boolean;
    Labels?: Record<string, string>;
    DriverConfig?: { Name?: string; Options?: Record<string, string> };
  };
  TmpfsOptions?: { SizeBytes?: number; Mode?: number };
}

export interface DeviceMapping {
  PathOnHost: string;
  PathInContainer: string;
  CgroupPermissions: string;
}

/** `GET /polis/v1/containers/{id}/security`: what the kernel enforces on a running container. */
export interface ContainerSecurityReport {
  pid: number;
  capabilities: { effective: string[]; permitted: string[]; bounding: string[] };
  seccomp: { mode: number; modeName: string; profileDigest: string | null };
  noNewPrivileges: boolean;
  namespaces: Record<string, 'private' | 'host'>;
  uidMap: { containerId: number; hostId: number; size: number }[];
  gidMap: { containerId: number; hostId: number; size: number }[];
  readonlyRootfs: boolean;
  privileged: boolean;
  maskedPaths: { path: string; state: 'masked' | 'absent' | 'visible' }[];
  limits: {
    version: 'v1' | 'v2';
    memoryLimit?: number | null;
    cpuQuota?: number | null;
    cpuPeriod?: number;
    pidsMax?: number | null;
  };
}

export interface HostConfig {
  Binds?: string[];
  Mounts?: MountSpec[];
  VolumesFrom?: string[];
  VolumeDriver?: string;
  NetworkMode?: string;
  PortBindings?: Record<string, PortBinding[]>;
  PublishAllPorts?: boolean;
  RestartPolicy?: RestartPolicy;
  AutoRemove?: boolean;
  CapAdd?: string[];
  CapDrop?: string[];
  Dns?: string[];
  DnsOptions?: string[];
  DnsSearch?: string[];
  ExtraHosts?: string[];
  Privileged?: boolean;
  ReadonlyRootfs?: boolean;
  SecurityOpt?: string[];
  MaskedPaths?: string[];
  ReadonlyPaths?: string[];
  Devices?: DeviceMapping[];
  DeviceCgroupRules?: string[];
  GroupAdd?: string[];
  IpcMode?: string;
  PidMode?: string;
  UTSMode?: string;
  UsernsMode?: string;
  Sysctls?: Record<string, string>;
  Tmpfs?: Record<string, string>;
  ShmSize?: number;
  Runtime?: string;
  Init?: boolean;
  LogConfig?: LogConfig;
  Memory?: number;
  MemorySwap?: number;
  MemoryReservation?: number;
  NanoCpus?: number;
  CpuShares?: number;
  CpusetCpus?: string;
  PidsLimit?: number;
  Ulimits?: UlimitSpec[];
  MemorySwappiness?: number;
  OomKillDisable?: boolean;
  OomScoreAdj?: number;
  CpuPeriod?: number;
  CpuQuota?: number;
  CpuRealtimePeriod?: number;
  CpuRealtimeRuntime?: number;
  CpusetMems?: string;
  BlkioWeight?: number;
  BlkioWeightDevice?: { Path: string; Weight: number }[];
  BlkioDeviceReadBps?: ThrottleDevice[];
  BlkioDeviceWriteBps?: ThrottleDevice[];
  BlkioDeviceReadIOps?: ThrottleDevice[];
  BlkioDeviceWriteIOps?: ThrottleDevice[];
  CgroupParent?: string;
  CgroupnsMode?: string;
}

/** A per-device block I/O rate (bytes or operations per second). */
export interface ThrottleDevice {
  Path: string;
  Rate: number;
}

/** `Config` of a container: the create request's top level, and `Config` in inspect. */
export interface ContainerConfig {
  Hostname?: string;
  Domainname?: string;
  User?: string;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  ExposedPorts?: Record<string, Record<string, never>>;
  Tty?: boolean;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  Env?: string[];
  Cmd?: string[];
  Image?: string;
  Volumes?: Record<string, Record<string, never>>;
  WorkingDir?: string;
  Entrypoint?: string[];
  Labels?: Record<string, string>;
  StopSignal?: string;
  StopTimeout?: number;
  Healthcheck?: HealthcheckConfig;
}

/** Docker's health check (durations in nanoseconds); `OnFailure` is Polis's own (podman's). */
export interface HealthcheckConfig {
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
  OnFailure?: 'none' | 'kill' | 'restart' | 'stop';
}

export interface ContainerCreateBody extends ContainerConfig {
  Image: string;
  HostConfig?: HostConfig;
  /** One network's aliases and fixed address, keyed by the name in `HostConfig.NetworkMode`. */
  NetworkingConfig?: { EndpointsConfig?: Record<string, EndpointConfig> };
}

export interface ContainerCreateResponse {
  Id: string;
  Warnings: string[] | null;
}

/** `POST /containers/{id}/update`: the settings Polis changes on an existing container. */
export interface ContainerUpdateBody {
  RestartPolicy?: RestartPolicy;
  Memory?: number;
  MemorySwap?: number;
  MemoryReservation?: number;
  NanoCpus?: number;
  CpuShares?: number;
  CpuPeriod?: number;
  CpuQuota?: number;
  CpusetCpus?: string;
  CpusetMems?: string;
  PidsLimit?: number;
  BlkioWeight?: number;
}

export interface ContainerUpdateResponse {
  Warnings: string[] | null;
}

export interface ContainerPort {
  IP?: string;
  PrivatePort: number;
  PublicPort?: number;
  Type: string;
}

/** One element of `GET /containers/json`. */
export interface ContainerSummary {
  Id: string;
  Names: string[];
  Image: string;
  ImageID: string;
  Command: string;
  /** Unix seconds. */
  Created: number;
  Ports: ContainerPort[];
  SizeRw?: number;
  SizeRootFs?: number;
  Labels: Record<string, string> | null;
  State: string;
  Status: string;
  HostConfig?: { NetworkMode?: string };
  NetworkSettings?: { Networks?: Record<string, EndpointSettings> };
  Mounts?: { Name?: string; Source?: string; Driver?: string }[];
}

export interface ContainerState {
  Status: string;
  Running: boolean;
  Paused: boolean;
  Restarting: boolean;
  OOMKilled: boolean;
  Dead: boolean;
  Pid: number;
  ExitCode: number;
  Error: string;
  StartedAt: string;
  FinishedAt: string;
}

/** `NetworkSettings` of inspect; the address fields at the top describe the default bridge endpoint. */
export interface ContainerNetworkSettings {
  /** `80/tcp` → host bindings while the container runs; null for a port exposed and not published. */
  Ports?: Record<string, HostBinding[] | null>;
  Networks?: Record<string, EndpointSettings>;
  SandboxKey?: string;
  IPAddress?: string;
  IPPrefixLen?: number;
  Gateway?: string;
  MacAddress?: string;
  [key: string]: unknown;
}

/** `GET /containers/{id}/json`. Fields not listed here are kept as the daemon sent them. */
export interface ContainerInspect {
  Id: string;
  Created: string;
  Path: string;
  Args: string[];
  State: ContainerState;
  Image: string;
  Name: string;
  RestartCount: number;
  Driver?: string;
  HostConfig: HostConfig;
  Config: ContainerConfig;
  NetworkSettings?: ContainerNetworkSettings;
  Mounts?: unknown[];
  [key: string]: unknown;
}

export interface ContainerWaitResponse {
  StatusCode: number;
  Error?: { Message: string } | null;
}

/** Filters as Docker sends them: `{"status": ["running"], "label": ["a=b"]}`. */
export type Filters = Record<string, string[]>;

export interface ContainerListOptions {
  all?: boolean;
  limit?: number;
  size?: boolean;
  filters?: Filters;
}

export interface ContainerCreateOptions {
  name?: string;
  platform?: string;
}

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

export interface AttachOptions {
  stream?: boolean;
  logs?: boolean;
  stdin?: boolean;
  stdout?: boolean;
  stderr?: boolean;
  detachKeys?: string;
}

export interface LogsOptions {
  follow?: boolean;
  stdout?: boolean;
  stderr?: boolean;
  /** Unix seconds (may carry a fraction: `1700000000.000000001`), as Docker's CLI sends it. */
  since?: string;
  until?: string;
  timestamps?: boolean;
  /** A number of lines or `all`. */
  tail?: string;
  /** When known, saves a round trip: a TTY container's log is not multiplexed. */
  tty?: boolean;
}

export interface RemoveOptions {
  force?: boolean;
  /** Remove anonymous volumes too. */
  v?: boolean;
}

/** `GET /containers/{id}/changes`: Kind 0 modified, 1 added, 2 deleted. */
export interface ContainerChange {
  Path: string;
  Kind: 0 | 1 | 2;
}

/** `POST /commit` parameters (`docker commit`). */
export interface ContainerCommitOptions {
  /** `repo` or `repo:tag` for the new image. */
  repo?: string;
  tag?: string;
  comment?: string;
  author?: string;
  /** Dockerfile instructions: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, WORKDIR, VOLUME, ONBUILD, STOPSIGNAL. */
  changes?: string[];
  /** Pause the container while it is committed (default true). */
  pause?: boolean;
}
