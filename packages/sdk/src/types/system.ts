import type { ContainerSummary } from './container.js';
import type { ImageSummary } from './image.js';
import type { Volume } from './volume.js';
/** Docker Engine API v1.41 shapes for `/version` and `/info`. */

export interface VersionComponent {
  Name: string;
  Version: string;
  Details?: Record<string, string>;
}

export interface VersionResponse {
  Platform?: { Name: string };
  Components?: VersionComponent[];
  Version: string;
  ApiVersion: string;
  MinAPIVersion?: string;
  GitCommit?: string;
  GoVersion?: string;
  Os: string;
  Arch: string;
  KernelVersion?: string;
  BuildTime?: string;
  Experimental?: boolean;
}

/** `GET /info`: the fields the CLI prints; the rest is kept as sent. */
export interface InfoResponse {
  ID?: string;
  Containers?: number;
  ContainersRunning?: number;
  ContainersPaused?: number;
  ContainersStopped?: number;
  Images?: number;
  Driver?: string;
  DriverStatus?: [string, string][];
  LoggingDriver?: string;
  CgroupDriver?: string;
  CgroupVersion?: string;
  KernelVersion?: string;
  OperatingSystem?: string;
  OSType?: string;
  Architecture?: string;
  NCPU?: number;
  MemTotal?: number;
  Name?: string;
  ServerVersion?: string;
  DockerRootDir?: string;
  Runtimes?: Record<string, { path?: string }>;
  DefaultRuntime?: string;
  SecurityOptions?: string[];
  Labels?: string[];
  Warnings?: string[] | null;
  [key: string]: unknown;
}

/** `GET /system/df`: Docker's DiskUsage (1.41). */
export interface DiskUsageResponse {
  LayersSize: number;
  Images: ImageSummary[] | null;
  Containers: ContainerSummary[] | null;
  Volumes: Volume[] | null;
  BuildCache: unknown[] | null;
}

/** `GET /polis/v1/health` (Polis only): a verdict per component and for the whole daemon. */
export interface HealthReport {
  status: 'healthy' | 'degraded' | 'unhealthy';
  time: string;
  components: {
    name: string;
    status: HealthReport['status'];
    checks: {
      name: string;
      status: HealthReport['status'];
      message: string;
      remedy?: string;
      durationMs: number;
    }[];
  }[];
}
