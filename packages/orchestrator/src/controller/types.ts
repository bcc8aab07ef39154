import type { ServiceBalancer } from '@polis/network';
import type { ProjectModel, ServiceModel } from '../compose/model.js';
import type { Autoscaler, AutoscalePolicy } from '../autoscale/types.js';
import type { Scheduler } from '../scheduler/types.js';
import type { Engine } from './engine.js';

/** A stack as polisd stores it: the desired state. */
export interface StackRecord {
  name: string;
  project: ProjectModel;
  /** Per service, the configuration before the last change (what `rollback` restores). */
  previous: Record<string, ServiceModel>;
  /** `--scale svc=N` and autoscaler decisions, over deploy.replicas. */
  scale: Record<string, number>;
  /** Services whose rolling update paused (failure_action pause), with the reason. */
  paused: Record<string, string>;
  /** `compose stop`: the controller keeps the containers stopped. */
  stopped: boolean;
  updatedAt: string;
}

export interface StackStore {
  list(): StackRecord[];
  get(name: string): StackRecord | undefined;
  put(record: StackRecord): void;
  delete(name: string): void;
}

export interface StackEvent {
  stack: string;
  service?: string;
  action: string;
  attributes: Record<string, string>;
}

export interface ControllerDeps {
  engine: Engine;
  store: StackStore;
  balancer: ServiceBalancer;
  scheduler: Scheduler;
  autoscaler: (policy: AutoscalePolicy) => Autoscaler;
  /** x-polis-autoscale of a service as a policy, undefined when it has none. */
  autoscalePolicy?: (service: ServiceModel) => AutoscalePolicy | undefined;
  publish: (event: StackEvent) => void;
  /** CPU percent of one core and memory percent of the limit, from the monitor's sampler. */
  sample?: (containerId: string) => { cpuPercent?: number; memoryPercent?: number } | undefined;
  tickMs?: number;
  autoscaleEveryMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** One service as `compose ps` shows it. */
export interface ServiceStatus {
  service: string;
  desired: number;
  running: number;
  healthy: number;
  pending?: string;
  updating?: string;
  paused?: string;
  lastError?: string;
  containers: Array<{
    id: string;
    name: string;
    number: number;
    status: string;
    health?: string;
    exitCode: number;
    current: boolean;
  }>;
}
