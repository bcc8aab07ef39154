import { Balancer, type BalancerOptions } from './balancer.js';

export type { BalancerOptions };

/** The balancer polisd uses (one per daemon): nftables where it can, a userspace proxy where not. */
export function createServiceBalancer(options: BalancerOptions): Balancer {
  return new Balancer(options);
}
