/** The parts of the OCI runtime-spec (config.json, v1.1) that Polis writes. */
export interface Spec {
  ociVersion: string;
  process?: Process;
  root?: { path: string; readonly?: boolean };
  hostname?: string;
  domainname?: string;
  mounts?: Mount[];
  hooks?: Record<string, Hook[]>;
  annotations?: Record<string, string>;
  linux?: Linux;
}

export interface Process {
  terminal?: boolean;
  consoleSize?: { height: number; width: number };
  user: { uid: number; gid: number; umask?: number; additionalGids?: number[] };
  args: string[];
  env?: string[];
  cwd: string;
  capabilities?: Capabilities;
  rlimits?: Rlimit[];
  noNewPrivileges?: boolean;
  apparmorProfile?: string;
  oomScoreAdj?: number;
  selinuxLabel?: string;
}

export interface Capabilities {
  bounding?: string[];
  effective?: string[];
  inheritable?: string[];
  permitted?: string[];
  ambient?: string[];
}

export interface Rlimit {
  type: string;
  soft: number;
  hard: number;
}

export interface Mount {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
}

export interface Hook {
  path: string;
  args?: string[];
  env?: string[];
  timeout?: number;
}

export type NamespaceType = 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup' | 'time';

export interface Namespace {
  type: NamespaceType;
  path?: string;
}

export interface IdMapping {
  containerID: number;
  hostID: number;
  size: number;
}

export interface Device {
  type: string;
  path: string;
  major?: number;
  minor?: number;
  fileMode?: number;
  uid?: number;
  gid?: number;
}

export interface DeviceCgroup {
  allow: boolean;
  type?: string;
  major?: number;
  minor?: number;
  access?: string;
}

/** A block device by number, as the OCI spec names one in `blockIO`. */
export interface BlockDeviceRate {
  major: number;
  minor: number;
  rate: number;
}

export interface BlockIO {
  weight?: number;
  weightDevice?: { major: number; minor: number; weight: number }[];
  throttleReadBpsDevice?: BlockDeviceRate[];
  throttleWriteBpsDevice?: BlockDeviceRate[];
  throttleReadIOPSDevice?: BlockDeviceRate[];
  throttleWriteIOPSDevice?: BlockDeviceRate[];
}

export interface Resources {
  devices?: DeviceCgroup[];
  memory?: {
    limit?: number;
    reservation?: number;
    swap?: number;
    kernel?: number;
    swappiness?: number;
    disableOOMKiller?: boolean;
  };
  cpu?: {
    shares?: number;
    quota?: number;
    period?: number;
    realtimeRuntime?: number;
    realtimePeriod?: number;
    cpus?: string;
    mems?: string;
  };
  pids?: { limit: number };
  blockIO?: BlockIO;
  unified?: Record<string, string>;
}

export interface Seccomp {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  flags?: string[];
  syscalls?: SyscallRule[];
}

export interface SyscallRule {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: { index: number; value: number; valueTwo?: number; op: string }[];
}

export interface Linux {
  namespaces?: Namespace[];
  uidMappings?: IdMapping[];
  gidMappings?: IdMapping[];
  devices?: Device[];
  cgroupsPath?: string;
  resources?: Resources;
  sysctl?: Record<string, string>;
  seccomp?: Seccomp;
  maskedPaths?: string[];
  readonlyPaths?: string[];
  rootfsPropagation?: string;
  mountLabel?: string;
}
