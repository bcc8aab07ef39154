/**
 * The normalised project: what polisd stores and the controller reconciles. Every short form of the
 * Compose Specification is expanded here, so nothing downstream parses compose syntax.
 */

export interface PortMapping {
  target: number;
  published?: number;
  hostIp?: string;
  protocol: 'tcp' | 'udp';
}

export interface VolumeMount {
  type: 'volume' | 'bind' | 'tmpfs';
  /** Volume name (project-level key) or host path (absolute); absent for tmpfs and anonymous volumes. */
  source?: string;
  target: string;
  readOnly: boolean;
}

export type DependsCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully';

export interface Healthcheck {
  test: string[];
  /** Nanoseconds, as Docker's HealthConfig. */
  intervalNs?: number;
  timeoutNs?: number;
  startPeriodNs?: number;
  retries?: number;
  disable?: boolean;
}

export interface UpdateConfig {
  parallelism: number;
  delayMs: number;
  order: 'stop-first' | 'start-first';
  failureAction: 'rollback' | 'pause' | 'continue';
  /** How long a new replica must stay up (and healthy, when it has a healthcheck) to count as a success. */
  monitorMs: number;
}

export interface ServiceModel {
  name: string;
  image?: string;
  build?: { context: string; dockerfile?: string; args?: Record<string, string> };
  command?: string[];
  entrypoint?: string[];
  environment: Record<string, string>;
  ports: PortMapping[];
  expose: string[];
  volumes: VolumeMount[];
  tmpfs: string[];
  /** Network key → aliases. */
  networks: Record<string, { aliases: string[] }>;
  dependsOn: Record<string, DependsCondition>;
  healthcheck?: Healthcheck;
  restart: 'no' | 'always' | 'on-failure' | 'unless-stopped';
  replicas: number;
  resources: {
    limits: { cpus?: number; memoryBytes?: number; pids?: number };
    reservations: { cpus?: number; memoryBytes?: number };
  };
  updateConfig: UpdateConfig;
  rollbackConfig: UpdateConfig;
  labels: Record<string, string>;
  user?: string;
  workingDir?: string;
  ulimits: Record<string, { soft: number; hard: number }>;
  capAdd: string[];
  capDrop: string[];
  init?: boolean;
  stopGracePeriodS?: number;
  hostname?: string;
  profiles: string[];
  /** `x-polis-*` and other extension fields of the service, kept for the scheduler and autoscaler. */
  extensions: Record<string, unknown>;
}

export interface NetworkModel {
  name: string;
  external: boolean;
  driver?: string;
  internal: boolean;
  labels: Record<string, string>;
}

export interface VolumeModel {
  name: string;
  external: boolean;
  driver?: string;
  labels: Record<string, string>;
}

export interface ProjectModel {
  name: string;
  workingDir: string;
  configFiles: string[];
  services: Record<string, ServiceModel>;
  /** Key (as the services name it) → the real network. */
  networks: Record<string, NetworkModel>;
  volumes: Record<string, VolumeModel>;
}
