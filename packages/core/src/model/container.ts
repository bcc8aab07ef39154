import type { IdMappings } from '../idmap.js';
/**
 * The user's intent for a container, grouped by concern. Each package translates its own group:
 * security builds the security fragments, storage the mounts, network the namespaces and files.
 * The API maps Docker's Config/HostConfig to this and back.
 */
export interface ContainerSpec {
  /** The image reference as the user gave it (`busybox`, `docker.io/library/busybox:latest`, an id). */
  image: string;
  basic: BasicSpec;
  storage: StorageSpec;
  security: SecuritySpec;
  resources: ResourceSpec;
  network: NetworkSpec;
  lifecycle: LifecycleSpec;
  logging: LoggingSpec;
  /** The health check, merged with the image's at create; absent or `test: ['NONE']`: none. */
  health?: HealthConfig;
  /** OCI runtime to use (`crun`, `runc`); the daemon default when absent. */
  runtime?: string;
}

export interface BasicSpec {
  /** undefined: take the image's. */
  cmd?: string[];
  /** undefined: take the image's; [] or [""]: clear it. */
  entrypoint?: string[];
  env: string[];
  workingDir?: string;
  user?: string;
  hostname?: string;
  domainname?: string;
  labels: Record<string, string>;
  tty: boolean;
  openStdin: boolean;
  stdinOnce: boolean;
  attachStdin: boolean;
  attachStdout: boolean;
  attachStderr: boolean;
  stopSignal?: string;
  /** Seconds before SIGKILL on stop. */
  stopTimeout?: number;
  init: boolean;
  exposedPorts: string[];
  /** The terminal's initial size, [height, width], when `tty`. */
  consoleSize?: [number, number];
}

export interface BindMount {
  source: string;
  destination: string;
  readonly: boolean;
  propagation?: string;
  /** `-v /missing:/x` makes the source directory; `--mount` refuses a missing source (Docker's rules). */
  createSource?: boolean;
}

export interface TmpfsMount {
  destination: string;
  options: string[];
}

/** A volume mounted into the container; the runtime creates a missing one at container create. */
export interface VolumeMount {
  /** The volume's name; for an anonymous volume a generated 64-hex name, set at create. */
  name: string;
  destination: string;
  readonly: boolean;
  /** Do not copy the image's files at the mount point into a new, empty volume. */
  nocopy: boolean;
  /** Made for this container alone (`-v /path`, the image's Volumes): `rm -v` removes it. */
  anonymous: boolean;
  /** Driver and options for a volume this mount creates (`--mount volume-driver=,volume-opt=`). */
  driver?: string;
  driverOptions?: Record<string, string>;
  labels?: Record<string, string>;
}

export interface StorageSpec {
  binds: BindMount[];
  tmpfs: TmpfsMount[];
  readonlyRootfs: boolean;
  /** Absent in records written before volumes existed. */
  volumes?: VolumeMount[];
  /** `--volumes-from CONTAINER[:ro|rw]`, resolved into binds and volumes at create. */
  volumesFrom?: string[];
  /**
   * HostConfig.Mounts as the client gave them (Docker's field names, Go's zero values left out), kept only
   * so inspect can echo them as Docker does; `binds`, `tmpfs` and `volumes` hold what is applied.
   */
  givenMounts?: Record<string, unknown>[];
  /**
   * HostConfig.Binds as given, echoed by inspect as Docker does (without the `--mount` and
   * `--volumes-from` mounts `binds` and `volumes` also hold). Absent when none were given, and in records
   * written before it was kept.
   */
  givenBinds?: string[];
}

export interface SecuritySpec {
  privileged: boolean;
  capAdd: string[];
  capDrop: string[];
  /** Raw `--security-opt` values (`no-new-privileges`, `seccomp=unconfined`, `seccomp=<json>`). */
  securityOpt: string[];
  maskedPaths?: string[];
  readonlyPaths?: string[];
  /** Namespaced kernel parameters set inside the container (`--sysctl`), checked at create. */
  sysctls?: Record<string, string>;
  /** Extra device cgroup rules (`--device-cgroup-rule`, `c 1:3 mr`), after the defaults. */
  deviceCgroupRules?: string[];
  /** `host`: no cgroup namespace of its own. Absent or `private`: its own. */
  cgroupns?: 'host' | 'private';
  /** Host devices made in the container (`--device`), with their cgroup permissions. */
  devices?: DeviceMapping[];
  /** Extra groups of the process (`--group-add`): names resolved in the image's /etc/group, or gids. */
  groupAdd?: string[];
  /** `--ipc`: `private` (absent), `shareable`, `host`, `none` or `container:<name|id>`. */
  ipcMode?: string;
  /** `--pid`: `host` or `container:<name|id>`; absent is a PID namespace of its own. */
  pidMode?: string;
  /** `--uts host`: the host's hostname; absent is a UTS namespace of its own. */
  utsMode?: string;
  /** `--userns host`: kept out of the daemon's user-namespace remapping. */
  usernsMode?: string;
}

/** `--device /dev/sda:/dev/xvda:rwm` as Docker's DeviceMapping. */
export interface DeviceMapping {
  pathOnHost: string;
  pathInContainer: string;
  /** Some of `r`, `w`, `m`. */
  cgroupPermissions: string;
}

export interface Ulimit {
  name: string;
  soft: number;
  hard: number;
}

export interface ResourceSpec {
  memory?: number;
  memorySwap?: number;
  memoryReservation?: number;
  nanoCpus?: number;
  cpuShares?: number;
  cpuQuota?: number;
  cpuPeriod?: number;
  cpusetCpus?: string;
  pidsLimit?: number;
  ulimits: Ulimit[];
  shmSize?: number;
  cpusetMems?: string;
  cpuRealtimePeriod?: number;
  cpuRealtimeRuntime?: number;
  /** 0–100. */
  memorySwappiness?: number;
  oomKillDisable?: boolean;
  /** -1000–1000, set on the container's first process. */
  oomScoreAdj?: number;
  /** 10–1000. */
  blkioWeight?: number;
  blkioWeightDevice?: BlkioDeviceValue[];
  blkioDeviceReadBps?: BlkioDeviceValue[];
  blkioDeviceWriteBps?: BlkioDeviceValue[];
  blkioDeviceReadIOps?: BlkioDeviceValue[];
  blkioDeviceWriteIOps?: BlkioDeviceValue[];
  /** `--cgroup-parent`: the container's cgroup is made under it instead of Polis's own (a slice with systemd). */
  cgroupParent?: string;
}

/** A per-device block I/O setting as the user gave it: the device's path, resolved to its number at start. */
export interface BlkioDeviceValue {
  path: string;
  /** A weight (10–1000) or a rate (bytes or operations per second). */
  value: number;
}

export type NetworkMode = 'none' | 'host' | 'bridge' | string;

export interface NetworkSpec {
  mode: NetworkMode;
  dns: string[];
  dnsSearch: string[];
  dnsOptions: string[];
  extraHosts: string[];
  /** `containerPort/proto` → host bindings; applied by the networking layer. */
  portBindings: Record<string, { hostIp: string; hostPort: string }[]>;
  publishAll: boolean;
  /**
   * What the container asks of the networks it joins at create (`NetworkingConfig.EndpointsConfig`,
   * `--network-alias`, `--ip`), keyed by the network's name or id as given. The network of `mode` is
   * joined with its entry here when there is one; absent means no aliases and a leased address.
   */
  endpoints?: NetworkEndpointSpec[];
}

/** One network's settings for a container; the same fields as the network layer's EndpointRequest. */
export interface NetworkEndpointSpec {
  /** Network name or id. */
  network: string;
  aliases?: string[];
  /** A fixed IPv4 address inside the network's subnet. */
  ip?: string;
}

export type RestartPolicyName = 'no' | 'always' | 'on-failure' | 'unless-stopped';

export interface LifecycleSpec {
  autoRemove: boolean;
  restartPolicy: { name: RestartPolicyName; maximumRetryCount: number };
}

/** Docker's `Healthcheck` (durations in nanoseconds; 0 or absent: the default). */
export interface HealthConfig {
  /** `[]` inherit the image's, `['NONE']` none, `['CMD', …]` exec form, `['CMD-SHELL', cmd]` shell form. */
  test: string[];
  interval?: number;
  timeout?: number;
  startPeriod?: number;
  startInterval?: number;
  retries?: number;
  /** What to do when the container turns unhealthy (podman's `--health-on-failure`); Docker has none. */
  onFailure?: HealthOnFailure;
}

export type HealthOnFailure = 'none' | 'kill' | 'restart' | 'stop';

export type ContainerHealthStatus = 'starting' | 'healthy' | 'unhealthy';

/** One probe's outcome, as Docker's `State.Health.Log` entries. */
export interface HealthProbeResult {
  start: string;
  end: string;
  exitCode: number;
  output: string;
}

export interface HealthState {
  status: ContainerHealthStatus;
  failingStreak: number;
  /** The last five results, oldest first. */
  log: HealthProbeResult[];
}

export interface LoggingSpec {
  driver: string;
  options: Record<string, string>;
}

export type ContainerStatus =
  'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface ContainerState {
  status: ContainerStatus;
  pid: number;
  exitCode: number;
  error: string;
  oomKilled: boolean;
  /** ISO time, or the zero time `0001-01-01T00:00:00Z` as Docker writes it. */
  startedAt: string;
  finishedAt: string;
  /** Pid of the container's conmon while it runs. */
  conmonPid: number;
  /** Set when the user stopped the container (ends restart policies). */
  stoppedByUser: boolean;
  /** Present while (and after) a container with a health check runs. */
  health?: HealthState;
}

/** The process the container runs, after merging the image's defaults with the request. */
export interface ResolvedProcess {
  path: string;
  args: string[];
  env: string[];
  workingDir: string;
  user: string;
}

export interface ContainerRecord {
  id: string;
  name: string;
  created: string;
  imageId: string;
  /** The image reference as the user gave it (shown as `Config.Image` and in `ps`). */
  imageRef: string;
  spec: ContainerSpec;
  process: ResolvedProcess;
  hostname: string;
  runtime: string;
  state: ContainerState;
  restartCount: number;
  /** Number of times the container was started. */
  startCount: number;
  /** Host paths of the files Polis writes for the container. */
  paths: ContainerPaths;
  /**
   * The user namespace the container runs in, fixed at create from `--userns-remap` (absent: the host's
   * ids). Kept here so the container keeps its ids, and its files their owners, across daemon restarts.
   */
  idMappings?: IdMappings;
}

export interface ContainerPaths {
  dir: string;
  bundle: string;
  rootfs: string;
  logPath: string;
  hostsPath: string;
  hostnamePath: string;
  resolvConfPath: string;
}

export const ZERO_TIME = '0001-01-01T00:00:00Z';

/** The state of a container that was created and never started. */
export function createdState(): ContainerState {
  return {
    status: 'created',
    pid: 0,
    exitCode: 0,
    error: '',
    oomKilled: false,
    startedAt: ZERO_TIME,
    finishedAt: ZERO_TIME,
    conmonPid: 0,
    stoppedByUser: false,
  };
}

export function emptySpec(image: string): ContainerSpec {
  return {
    image,
    basic: {
      env: [],
      labels: {},
      tty: false,
      openStdin: false,
      stdinOnce: false,
      attachStdin: false,
      attachStdout: true,
      attachStderr: true,
      init: false,
      exposedPorts: [],
    },
    storage: { binds: [], tmpfs: [], readonlyRootfs: false },
    security: { privileged: false, capAdd: [], capDrop: [], securityOpt: [] },
    resources: { ulimits: [] },
    network: {
      mode: 'none',
      dns: [],
      dnsSearch: [],
      dnsOptions: [],
      extraHosts: [],
      portBindings: {},
      publishAll: false,
    },
    lifecycle: { autoRemove: false, restartPolicy: { name: 'no', maximumRetryCount: 0 } },
    logging: { driver: 'k8s-file', options: {} },
  };
}
