import { parseDurationMs } from '../compose/units.js';
import type { ServiceModel } from '../compose/model.js';
import type { AutoscalePolicy } from '../autoscale/types.js';

/**
 * `x-polis-autoscale` as a policy, for the controller's wiring until the autoscaler's own parser is merged
 * (its parseAutoscale, with full validation, replaces this).
 */
export function autoscalePolicyOf(service: ServiceModel): AutoscalePolicy | undefined {
  const raw = service.extensions['x-polis-autoscale'] as Record<string, unknown> | undefined;
  if (!raw || typeof raw !== 'object') return undefined;
  const num = (k: string): number | undefined => (raw[k] === undefined ? undefined : Number(raw[k]));
  return {
    min: num('min') ?? 1,
    max: num('max') ?? Math.max(1, service.replicas),
    ...(num('target_cpu_percent') !== undefined ? { targetCpuPercent: num('target_cpu_percent')! } : {}),
    ...(num('target_memory_percent') !== undefined
      ? { targetMemoryPercent: num('target_memory_percent')! }
      : {}),
    ...(num('target_requests_per_second') !== undefined
      ? { targetRequestsPerSecond: num('target_requests_per_second')! }
      : {}),
    scaleUpCooldownMs:
      raw['scale_up_cooldown'] === undefined
        ? 30_000
        : parseDurationMs(raw['scale_up_cooldown'], 'scale_up_cooldown'),
    scaleDownCooldownMs:
      raw['scale_down_cooldown'] === undefined
        ? 120_000
        : parseDurationMs(raw['scale_down_cooldown'], 'scale_down_cooldown'),
  };
}
