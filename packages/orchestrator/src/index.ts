// @polis/orchestrator: stacks from compose files, replicas kept alive, scheduling, load balancing, autoscaling.
export const ORCHESTRATOR_PART = 'orchestrator';
