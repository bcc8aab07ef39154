// @polis/orchestrator: stacks from compose files, replicas kept alive, scheduling, load balancing, autoscaling.
export type { Admission, HostCapacity, PlacementRequest, Reservation, Scheduler } from './scheduler/types.js';
export type { AutoscalePolicy, Autoscaler, ScaleDecision, ServiceSample } from './autoscale/types.js';
export {
  AUTOSCALE_DEFAULTS,
  createAutoscaler,
  parseAutoscale,
  parseComposeDuration,
} from './autoscale/index.js';
export {
  createScheduler,
  formatCpuList,
  hostCapacity,
  parseReservation,
  type HostCapacityOptions,
} from './scheduler/index.js';
export {
  convertToKubernetes,
  kubeName,
  kubernetesSchemas,
  type ComposeLike,
  type ComposePortLike,
  type ComposeResourcesLike,
  type ComposeServiceLike,
  type ComposeVolumeLike,
  type ComposeVolumeMountLike,
  type ConvertOptions,
} from './kube/index.js';
export * from './compose/index.js';
export * from './controller/index.js';
