import { PolisError } from '@polis/core';
import type { Autoscaler, AutoscalePolicy, ScaleDecision, ServiceSample } from './types.js';

type Metric = ScaleDecision['metric'];

const FIELDS: { metric: Metric; target: keyof AutoscalePolicy; sample: keyof ServiceSample; unit: string }[] =
  [
    { metric: 'cpu', target: 'targetCpuPercent', sample: 'cpuPercent', unit: '%' },
    { metric: 'memory', target: 'targetMemoryPercent', sample: 'memoryPercent', unit: '%' },
    { metric: 'requests', target: 'targetRequestsPerSecond', sample: 'requestsPerSecond', unit: ' req/s' },
  ];

interface Recommendation {
  metric: Metric;
  value: number;
  target: number;
  desired: number;
  samples: number;
}

const round = (n: number): number => Math.round(n * 10) / 10;
const seconds = (ms: number): string => `${round(ms / 1000)} s`;

/**
 * Kubernetes HPA's algorithm for one service (issue 13, item 4): desired = ceil(current × value / target)
 * per metric, the largest wins, clamped to [min, max]; nothing while value/target stays within the
 * tolerance, so noise around the target changes nothing. Up goes at once (after scale_up_cooldown since
 * the last change); down goes only to the highest size recommended over the stabilisation window, and only
 * once the window has been watched in full, so a brief dip never removes replicas the next burst needs.
 * After a change the metric window restarts: samples taken at the old size say nothing about the new one.
 */
export function createAutoscaler(policy: AutoscalePolicy): Autoscaler {
  const targets = FIELDS.filter((f) => typeof policy[f.target] === 'number');
  if (targets.length === 0)
    throw new PolisError(
      'request.invalid',
      'autoscale policy has no target (cpu, memory or requests per second)',
    );
  if (!(
    Number.isInteger(policy.min) &&
    policy.min >= 0 &&
    Number.isInteger(policy.max) &&
    policy.max >= policy.min
  ))
    throw new PolisError(
      'request.invalid',
      `autoscale policy: min ${policy.min} and max ${policy.max} are not 0 ≤ min ≤ max`,
    );
  for (const f of targets)
    if (!((policy[f.target] as number) > 0))
      throw new PolisError('request.invalid', `autoscale policy: ${f.target} must be above 0`);
  const metricWindow = policy.metricWindowMs ?? 15_000;
  const stabilization = policy.scaleDownStabilizationMs ?? policy.scaleDownCooldownMs;
  const tolerance = policy.tolerance ?? 0.1;

  let samples: ServiceSample[] = [];
  let latest: ServiceSample | undefined;
  let lastChangeAt = -Infinity;
  let watchingSince: number | undefined;
  const history: { at: number; desired: number }[] = [];

  const recommend = (current: number, now: number): Recommendation | undefined => {
    const recent = samples.filter((s) => s.at > now - metricWindow && s.at <= now);
    let best: Recommendation | undefined;
    for (const f of targets) {
      const values = recent
        .map((s) => s[f.sample])
        .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
      if (values.length === 0) continue;
      const value = values.reduce((a, b) => a + b, 0) / values.length;
      const target = policy[f.target] as number;
      const ratio = value / target;
      const raw = Math.abs(ratio - 1) <= tolerance ? current : Math.ceil(current * ratio);
      const desired = Math.min(policy.max, Math.max(policy.min, raw));
      if (!best || desired > best.desired)
        best = { metric: f.metric, value, target, desired, samples: values.length };
    }
    return best;
  };

  const unit = (m: Metric): string => FIELDS.find((f) => f.metric === m)?.unit ?? '';
  const decided = (now: number, d: ScaleDecision): ScaleDecision => {
    lastChangeAt = now;
    samples = [];
    return d;
  };

  return {
    observe(sample) {
      if (latest && sample.at < latest.at) return; // out of order: the series only moves forward
      latest = sample;
      samples.push(sample);
      watchingSince ??= sample.at;
      const horizon = sample.at - metricWindow;
      while (samples.length && (samples[0] as ServiceSample).at <= horizon) samples.shift();
    },

    decide(now) {
      if (!latest) return null;
      const current = latest.replicas;
      const primary = targets[0] as (typeof FIELDS)[number];
      const rec = recommend(current, now);
      const metric = rec?.metric ?? primary.metric;
      const value = rec?.value ?? 0;
      const target = rec?.target ?? (policy[primary.target] as number);
      // Outside the bounds (a user's --scale, a changed policy): back inside without waiting for samples.
      if (current < policy.min || current > policy.max) {
        const to = current < policy.min ? policy.min : policy.max;
        const bound = current < policy.min ? `below min ${policy.min}` : `above max ${policy.max}`;
        const cooldown = current < policy.min ? policy.scaleUpCooldownMs : policy.scaleDownCooldownMs;
        if (now - lastChangeAt < cooldown) return null;
        return decided(now, {
          from: current,
          to,
          metric,
          value,
          target,
          reason: `${current} replica${current === 1 ? '' : 's'} ${bound}`,
        });
      }
      if (!rec) return null;
      history.push({ at: now, desired: rec.desired });
      while (history.length && (history[0] as { at: number }).at < now - stabilization) history.shift();
      const u = unit(rec.metric);
      const words = `${rec.metric} ${round(rec.value)}${u}`;
      const over = `(mean of ${rec.samples} sample${rec.samples === 1 ? '' : 's'} over ${seconds(metricWindow)})`;
      if (rec.desired > current) {
        if (now - lastChangeAt < policy.scaleUpCooldownMs) return null;
        const capped =
          rec.desired === policy.max && Math.ceil((current * rec.value) / rec.target) > policy.max;
        return decided(now, {
          from: current,
          to: rec.desired,
          metric: rec.metric,
          value: rec.value,
          target: rec.target,
          reason: `${words} > target ${rec.target}${u} ${over}${capped ? `, capped at max ${policy.max}` : ''}`,
        });
      }
      if (rec.desired < current) {
        if (now - lastChangeAt < policy.scaleDownCooldownMs) return null;
        // The window must have been watched in full; what was not seen counts as the current size.
        const watchedAll = watchingSince !== undefined && watchingSince <= now - stabilization;
        const highest = Math.max(watchedAll ? 0 : current, ...history.map((h) => h.desired));
        const to = Math.min(current, highest);
        if (to >= current) return null;
        return decided(now, {
          from: current,
          to,
          metric: rec.metric,
          value: rec.value,
          target: rec.target,
          reason: `${words} < target ${rec.target}${u} ${over}; highest recommendation over the last ${seconds(stabilization)}: ${to}`,
        });
      }
      return null;
    },
  };
}
