import type { ContainerService } from '@polis/runtime';
import type { ImageService } from '@polis/image';
import type { NetworkService } from '@polis/network';
import type { VolumeService } from '@polis/storage';
import type { AlertEngine, EventLog, PolisMetrics, StatsSampler } from '@polis/monitor';
import type { HealthCheck } from '@polis/core';
import type { BuildService } from './build/builder.js';
import type { StackController, StackStore } from '@polis/orchestrator';

export { API_VERSION, MIN_API_VERSION } from '@polis/core/api-version';

/**
 * What the daemon knows about the host and itself, in Docker's `GET /info` field names. The server adds
 * the fields that are constant for Polis (Plugins, Swarm, RegistryConfig…); any of them may be overridden.
 */
export interface SystemInfo {
  ID: string;
  Name: string;
  Containers: number;
  ContainersRunning: number;
  ContainersPaused: number;
  ContainersStopped: number;
  Images: number;
  Driver: string;
  DockerRootDir: string;
  OperatingSystem: string;
  OSVersion?: string;
  OSType: string;
  Architecture: string;
  NCPU: number;
  MemTotal: number;
  KernelVersion: string;
  ServerVersion: string;
  Runtimes: Record<string, { path: string }>;
  DefaultRuntime: string;
  CgroupDriver: string;
  CgroupVersion: string;
  SecurityOptions: string[];
  LoggingDriver: string;
  /** Host capabilities; the docker CLI prints a warning for each one that is false. */
  MemoryLimit?: boolean;
  SwapLimit?: boolean;
  CpuCfsPeriod?: boolean;
  CpuCfsQuota?: boolean;
  CPUShares?: boolean;
  CPUSet?: boolean;
  PidsLimit?: boolean;
  IPv4Forwarding?: boolean;
  BridgeNfIptables?: boolean;
  BridgeNfIp6tables?: boolean;
  Warnings?: string[];
  [extra: string]: unknown;
}

/** The daemon's build identity; the server derives the rest of `GET /version`. */
export interface VersionInfo {
  Version: string;
  GitCommit: string;
  /** RFC 3339. */
  BuildTime: string;
  KernelVersion: string;
}

export interface ApiDeps {
  /** Compose stacks (`/polis/v1/stacks`): the controller and its store; absent in API unit tests. */
  stacks?: { controller: StackController; store: StackStore };
  containers: ContainerService;
  images: ImageService;
  /** Networks (`/networks`, the network fields of containers); absent in API unit tests that need none. */
  networks?: NetworkService;
  /** Volumes (`/volumes`, `Mounts` of volumes); absent in API unit tests that need none. */
  volumes?: VolumeService;
  /** The event bus and its history (`GET /events`); image events are published by the image routes. */
  events?: EventLog;
  /** The shared stats sampler (`GET /containers/{id}/stats`); absent in API unit tests that need none. */
  stats?: StatsSampler;
  /** The checks of `GET /polis/v1/health`, made per request (networks come and go); monitor's own when absent. */
  health?: () => HealthCheck[];
  /** The Prometheus registry (`GET /metrics`, request timings); absent in API unit tests that need none. */
  metrics?: PolisMetrics;
  /** Alert rules and their history (`/polis/v1/alerts`); absent in API unit tests that need none. */
  alerts?: AlertEngine;
  /** The image builder (`POST /build`, `/build/prune`, BuildCache of `system df`); absent: those routes answer 501. */
  builds?: BuildService;
  /** The daemon's cgroup driver (a systemd `--cgroup-parent` must be a slice); cgroupfs when absent. */
  cgroupDriver?: 'cgroupfs' | 'systemd';
  system: {
    info(): Promise<SystemInfo> | SystemInfo;
    version(): VersionInfo;
  };
}
