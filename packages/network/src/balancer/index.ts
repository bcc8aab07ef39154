export type { BalancerBackend, BalancerCounters, BalancerFrontend, ServiceBalancer } from './types.js';
export { createServiceBalancer, type BalancerOptions } from './noop.js';
