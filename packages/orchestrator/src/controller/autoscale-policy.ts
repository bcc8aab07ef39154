import { parseAutoscale } from '../autoscale/index.js';
import type { AutoscalePolicy } from '../autoscale/types.js';
import type { ServiceModel } from '../compose/model.js';

/** A service's `x-polis-autoscale` as a policy (checked at load by the same parser), or none. */
export function autoscalePolicyOf(service: ServiceModel): AutoscalePolicy | undefined {
  return parseAutoscale(service.extensions['x-polis-autoscale'], service.name);
}
