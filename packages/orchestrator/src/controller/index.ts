export { StackController, balancerKey, dependencyOrder } from './controller.js';
export { dockerEngine, type Engine, type EngineContainer, type Request } from './engine.js';
export { unixSocketRequest } from './loopback.js';
export {
  L as COMPOSE_LABELS,
  COMPOSE_VERSION,
  configHash,
  containerLabels,
  containerName,
} from './labels.js';
export { createBody } from './create-body.js';
export type { ControllerDeps, ServiceStatus, StackEvent, StackRecord, StackStore } from './types.js';
export { autoscalePolicyOf } from './autoscale-policy.js';
