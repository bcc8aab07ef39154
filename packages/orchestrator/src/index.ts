// @polis/orchestrator: stacks from compose files, replicas kept alive, scheduling, load balancing, autoscaling.
export type { Admission, HostCapacity, PlacementRequest, Reservation, Scheduler } from './scheduler/types.js';
export type { AutoscalePolicy, Autoscaler, ScaleDecision, ServiceSample } from './autoscale/types.js';
export { createAutoscaler, createScheduler } from './placeholders.js';
export * from './compose/index.js';
export * from './controller/index.js';
