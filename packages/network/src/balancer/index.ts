export type { BalancerBackend, BalancerCounters, BalancerFrontend, ServiceBalancer } from './types.js';
export { createServiceBalancer, type BalancerOptions } from './create.js';
export { Balancer, balancerTable } from './balancer.js';
export { ServiceVips, vipHolder, type ServiceVip } from './vips.js';
export { serviceChain } from './render.js';
