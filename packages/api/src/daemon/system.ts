import { readFileSync } from 'node:fs';
import os from 'node:os';
import { createHash } from 'node:crypto';
import type { DaemonConfig } from '@polis/core';
import type { ImageService } from '@polis/image';
import { cgroupMode, type ContainerService } from '@polis/runtime';

export const POLIS_VERSION = '0.1.0';
export const API_VERSION = '1.41';
export const MIN_API_VERSION = '1.24';

const ARCH: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64' };
const GOARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64' };

function osName(): string {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(text)?.[1] ?? 'Linux';
  } catch {
    return 'Linux';
  }
}

export function versionInfo() {
  return {
    Platform: { Name: 'Polis' },
    Components: [
      {
        Name: 'Engine',
        Version: POLIS_VERSION,
        Details: {
          ApiVersion: API_VERSION,
          MinAPIVersion: MIN_API_VERSION,
          GitCommit: 'polis',
          GoVersion: `node ${process.version}`,
          Os: 'linux',
          Arch: GOARCH[process.arch] ?? process.arch,
          KernelVersion: os.release(),
          Experimental: 'false',
          BuildTime: '',
        },
      },
    ],
    Version: POLIS_VERSION,
    ApiVersion: API_VERSION,
    MinAPIVersion: MIN_API_VERSION,
    GitCommit: 'polis',
    GoVersion: `node ${process.version}`,
    Os: 'linux',
    Arch: GOARCH[process.arch] ?? process.arch,
    KernelVersion: os.release(),
    BuildTime: '',
  };
}

export function systemInfo(config: DaemonConfig, containers: ContainerService, images: ImageService) {
  const all = containers.list({ all: true });
  const count = (s: string) => all.filter((c) => c.state.status === s).length;
  const mode = cgroupMode();
  return {
    ID: createHash('sha256').update(`${os.hostname()}:${config.dataRoot}`).digest('hex').slice(0, 32),
    Containers: all.length,
    ContainersRunning: count('running'),
    ContainersPaused: count('paused'),
    ContainersStopped: all.length - count('running') - count('paused'),
    Images: images.list().length,
    Driver: 'overlay2',
    DriverStatus: [['Backing Filesystem', 'extfs']],
    Plugins: { Volume: ['local'], Network: ['none', 'host'], Authorization: null, Log: ['k8s-file'] },
    MemoryLimit: true,
    SwapLimit: true,
    CpuCfsPeriod: true,
    CpuCfsQuota: true,
    CPUShares: true,
    CPUSet: true,
    PidsLimit: true,
    IPv4Forwarding: true,
    Debug: config.logLevel === 'debug',
    NFd: 0,
    NGoroutines: 0,
    SystemTime: new Date().toISOString(),
    LoggingDriver: 'k8s-file',
    CgroupDriver: 'cgroupfs',
    CgroupVersion: mode === 'v2' ? '2' : '1',
    NEventsListener: 0,
    KernelVersion: os.release(),
    OperatingSystem: osName(),
    OSVersion: '',
    OSType: 'linux',
    Architecture: ARCH[process.arch] ?? process.arch,
    IndexServerAddress: 'https://index.docker.io/v1/',
    RegistryConfig: { InsecureRegistryCIDRs: ['127.0.0.0/8'], IndexConfigs: {}, Mirrors: [] },
    NCPU: os.cpus().length,
    MemTotal: os.totalmem(),
    DockerRootDir: config.dataRoot,
    Name: os.hostname(),
    Labels: [],
    ExperimentalBuild: false,
    ServerVersion: POLIS_VERSION,
    Runtimes: Object.fromEntries(Object.entries(config.runtimes).map(([name, path]) => [name, { path }])),
    DefaultRuntime: config.defaultRuntime,
    Swarm: {
      NodeID: '',
      NodeAddr: '',
      LocalNodeState: 'inactive',
      ControlAvailable: false,
      Error: '',
      RemoteManagers: null,
    },
    LiveRestoreEnabled: true,
    Isolation: '',
    InitBinary: 'catatonit',
    ContainerdCommit: { ID: '', Expected: '' },
    RuncCommit: { ID: '', Expected: '' },
    InitCommit: { ID: '', Expected: '' },
    SecurityOptions: ['name=seccomp,profile=builtin'],
    Warnings: [],
  };
}
