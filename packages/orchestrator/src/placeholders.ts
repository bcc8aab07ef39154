import type { Autoscaler, AutoscalePolicy } from './autoscale/types.js';

export function createAutoscaler(_policy: AutoscalePolicy): Autoscaler {
  return { observe: () => undefined, decide: () => null };
}
