import { readFileSync } from 'node:fs';
import os from 'node:os';
import { createHash } from 'node:crypto';
import type { DaemonConfig } from '@polis/core';
import type { ImageService } from '@polis/image';
import { cgroupMode, type ContainerService } from '@polis/runtime';
import type { SystemInfo, VersionInfo } from '../types.js';
import { hostCgroupSupport } from '../docker/cgroup-support.js';

export const POLIS_VERSION = '0.1.0';

const ARCH: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64' };

function osName(): string {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(text)?.[1] ?? 'Linux';
  } catch {
    return 'Linux';
  }
}

/** This daemon's identity; the server adds the API constants (see routes/system.ts). */
export function versionInfo(): VersionInfo {
  return { Version: POLIS_VERSION, GitCommit: 'polis', BuildTime: '', KernelVersion: os.release() };
}

/** What `GET /info` knows only here: counts, paths, runtimes; the server fills the constant fields. */
export function systemInfo(
  config: DaemonConfig,
  containers: ContainerService,
  images: ImageService,
): SystemInfo {
  const all = containers.list({ all: true });
  const count = (s: string): number => all.filter((c) => c.state.status === s).length;
  const support = hostCgroupSupport();
  return {
    ID: createHash('sha256').update(`${os.hostname()}:${config.dataRoot}`).digest('hex').slice(0, 32),
    Name: os.hostname(),
    Containers: all.length,
    ContainersRunning: count('running'),
    ContainersPaused: count('paused'),
    ContainersStopped: all.length - count('running') - count('paused'),
    Images: images.list().length,
    Driver: 'overlay2',
    DockerRootDir: config.dataRoot,
    OperatingSystem: osName(),
    OSType: 'linux',
    Architecture: ARCH[process.arch] ?? process.arch,
    NCPU: os.cpus().length,
    MemTotal: os.totalmem(),
    KernelVersion: os.release(),
    ServerVersion: POLIS_VERSION,
    Runtimes: Object.fromEntries(Object.entries(config.runtimes).map(([name, path]) => [name, { path }])),
    DefaultRuntime: config.defaultRuntime,
    CgroupDriver: config.cgroupDriver ?? 'cgroupfs',
    // What the cgroups enforce, as Docker's sysinfo reports it (the docker CLI warns for each false).
    MemoryLimit: support.memoryLimit,
    SwapLimit: support.swapLimit,
    CpuCfsPeriod: support.cpuCfs,
    CpuCfsQuota: support.cpuCfs,
    CPUShares: support.cpuShares,
    CPUSet: support.cpuset,
    PidsLimit: support.pidsLimit,
    OomKillDisable: support.oomKillDisable,
    CgroupVersion: cgroupMode() === 'v2' ? '2' : '1',
    SecurityOptions: ['name=seccomp,profile=builtin', ...(config.idMappings ? ['name=userns'] : [])],
    LoggingDriver: 'k8s-file',
    Debug: config.logLevel === 'debug',
    InitBinary: 'catatonit',
    LiveRestoreEnabled: true,
    RegistryConfig: {
      AllowNondistributableArtifactsCIDRs: [],
      InsecureRegistryCIDRs: ['127.0.0.0/8', ...config.insecureRegistries.filter((r) => r.includes('/'))],
      IndexConfigs: Object.fromEntries(
        config.insecureRegistries
          .filter((r) => !r.includes('/'))
          .map((name) => [name, { Name: name, Mirrors: [], Secure: false, Official: false }]),
      ),
      Mirrors: config.registryMirrors,
    },
  };
}
