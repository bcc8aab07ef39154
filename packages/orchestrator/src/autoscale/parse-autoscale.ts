import { PolisError } from '@polis/core';
import { parseComposeDuration } from './duration.js';
import type { AutoscalePolicy } from './types.js';

const KEYS = [
  'min',
  'max',
  'target_cpu_percent',
  'target_memory_percent',
  'target_requests_per_second',
  'scale_up_cooldown',
  'scale_down_cooldown',
  'scale_down_stabilization',
] as const;

/** Defaults when the extension leaves them out: up soon after a change, down only after a calm minute. */
export const AUTOSCALE_DEFAULTS = { min: 1, scaleUpCooldown: '15s', scaleDownCooldown: '60s' } as const;

/** A number as YAML or interpolation leaves it: 5, 5.5 or "5". */
function numberOf(raw: unknown): number | undefined {
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(raw)) return Number(raw);
  return undefined;
}

/**
 * A service's `x-polis-autoscale` (after interpolation) → the autoscaler's policy, or undefined when the
 * service has none: `{min, max, target_cpu_percent | target_memory_percent | target_requests_per_second,
 * scale_up_cooldown, scale_down_cooldown, scale_down_stabilization}`. At least one target; with several, the
 * one asking for most replicas wins. Errors name the service and the key.
 */
export function parseAutoscale(raw: unknown, serviceName: string): AutoscalePolicy | undefined {
  if (raw === undefined || raw === null) return undefined;
  const where = `service "${serviceName}": x-polis-autoscale`;
  const bad = (message: string): PolisError =>
    new PolisError('request.invalid', `${where}${message}`, { context: { service: serviceName } });
  if (typeof raw !== 'object' || Array.isArray(raw)) throw bad(' must be a mapping');
  const o = raw as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !(KEYS as readonly string[]).includes(k));
  if (unknown.length)
    throw bad(
      `: unknown key${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (known: ${KEYS.join(', ')})`,
    );

  const whole = (key: string, least: number): number | undefined => {
    if (o[key] === undefined) return undefined;
    const n = numberOf(o[key]);
    if (n === undefined || !Number.isInteger(n) || n < least)
      throw bad(`.${key} must be a whole number ≥ ${least} (got ${JSON.stringify(o[key])})`);
    return n;
  };
  const positive = (key: string): number | undefined => {
    if (o[key] === undefined) return undefined;
    const n = numberOf(o[key]);
    if (n === undefined || !(n > 0))
      throw bad(`.${key} must be a number above 0 (got ${JSON.stringify(o[key])})`);
    return n;
  };
  const duration = (key: string, fallback: string | undefined): number | undefined => {
    const value = o[key] ?? fallback;
    return value === undefined ? undefined : parseComposeDuration(value, `${where}.${key}`);
  };

  const min = whole('min', 0) ?? AUTOSCALE_DEFAULTS.min;
  const max = whole('max', 1);
  if (max === undefined) throw bad('.max is required');
  if (max < min) throw bad(`: min ${min} is above max ${max}`);
  const policy: AutoscalePolicy = {
    min,
    max,
    scaleUpCooldownMs: duration('scale_up_cooldown', AUTOSCALE_DEFAULTS.scaleUpCooldown) as number,
    scaleDownCooldownMs: duration('scale_down_cooldown', AUTOSCALE_DEFAULTS.scaleDownCooldown) as number,
  };
  const cpu = positive('target_cpu_percent');
  const memory = positive('target_memory_percent');
  const requests = positive('target_requests_per_second');
  const stabilization = duration('scale_down_stabilization', undefined);
  if (cpu !== undefined) policy.targetCpuPercent = cpu;
  if (memory !== undefined) policy.targetMemoryPercent = memory;
  if (requests !== undefined) policy.targetRequestsPerSecond = requests;
  if (stabilization !== undefined) policy.scaleDownStabilizationMs = stabilization;
  if (cpu === undefined && memory === undefined && requests === undefined)
    throw bad(': needs one of target_cpu_percent, target_memory_percent, target_requests_per_second');
  return policy;
}
