import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAutoscaler } from './create-autoscaler.js';
import type { AutoscalePolicy, ScaleDecision } from './types.js';

const policy = (p: Partial<AutoscalePolicy> = {}): AutoscalePolicy => ({
  min: 1,
  max: 6,
  targetCpuPercent: 50,
  scaleUpCooldownMs: 15_000,
  scaleDownCooldownMs: 60_000,
  ...p,
});

/** A seeded generator, so "noise" is the same every run. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface Step {
  at: number;
  replicas: number;
  decision: ScaleDecision | null;
}

/**
 * A service under a CPU demand (percent of one core, over all replicas) sampled every 5 s; each replica
 * burns at most one core, and decisions are applied at once, as the controller would.
 */
function simulate(
  p: AutoscalePolicy,
  demand: (t: number) => number,
  seconds: number,
  start = 1,
  noise: (() => number) | undefined = undefined,
): Step[] {
  const a = createAutoscaler(p);
  let replicas = start;
  const steps: Step[] = [];
  for (let t = 0; t <= seconds * 1000; t += 5000) {
    let cpu = Math.min(100, demand(t) / replicas);
    if (noise) cpu *= 1 + noise();
    a.observe({ at: t, replicas, cpuPercent: cpu });
    const decision = a.decide(t);
    if (decision) {
      assert.equal(decision.from, replicas);
      replicas = decision.to;
    }
    steps.push({ at: t, replicas, decision });
  }
  return steps;
}
const decisions = (steps: Step[]): ScaleDecision[] => steps.flatMap((s) => (s.decision ? [s.decision] : []));

describe('autoscaler', () => {
  it('target tracking: ceil(current × value / target), with the numbers and reason in the decision', () => {
    const a = createAutoscaler(policy({ max: 10 }));
    a.observe({ at: 1000, replicas: 2, cpuPercent: 180 });
    a.observe({ at: 6000, replicas: 2, cpuPercent: 186 });
    const d = a.decide(6000);
    assert.deepEqual(
      { ...d, reason: undefined },
      { from: 2, to: 8, metric: 'cpu', value: 183, target: 50, reason: undefined },
    );
    assert.equal(d?.reason, 'cpu 183% > target 50% (mean of 2 samples over 15 s)');
    // Within the cooldown nothing more, whatever the samples say.
    a.observe({ at: 7000, replicas: 8, cpuPercent: 100 });
    assert.equal(a.decide(7000), null);
  });

  it('clamps to max and says so', () => {
    const a = createAutoscaler(policy({ max: 3 }));
    a.observe({ at: 0, replicas: 1, cpuPercent: 400 });
    const d = a.decide(0);
    assert.equal(d?.to, 3);
    assert.match(d?.reason ?? '', /capped at max 3$/);
  });

  it('takes the metric that asks for the most replicas, as HPA does with several', () => {
    const a = createAutoscaler(policy({ max: 10, targetMemoryPercent: 50, targetRequestsPerSecond: 100 }));
    a.observe({ at: 0, replicas: 2, cpuPercent: 60, memoryPercent: 40, requestsPerSecond: 300 });
    const d = a.decide(0);
    assert.equal(d?.metric, 'requests');
    assert.equal(d?.to, 6);
    assert.match(d?.reason ?? '', /^requests 300 req\/s > target 100 req\/s/);
  });

  it('brings a service outside [min, max] back inside without samples', () => {
    const a = createAutoscaler(policy({ min: 2, max: 4 }));
    a.observe({ at: 0, replicas: 1 });
    assert.deepEqual(
      { ...a.decide(0) },
      { from: 1, to: 2, metric: 'cpu', value: 0, target: 50, reason: '1 replica below min 2' },
    );
    a.observe({ at: 1000, replicas: 7 });
    assert.equal(a.decide(1000), null, 'a change just happened: the scale-down cooldown holds');
    const d = a.decide(61_000);
    assert.equal(d?.to, 4);
    assert.equal(d?.reason, '7 replicas above max 4');
  });

  it('ignores samples older than the latest (the series only moves forward)', () => {
    const a = createAutoscaler(policy({ max: 10 }));
    a.observe({ at: 10_000, replicas: 2, cpuPercent: 50 });
    a.observe({ at: 9_000, replicas: 2, cpuPercent: 500 });
    assert.equal(a.decide(10_000), null);
  });

  it('no samples, no decision', () => {
    const a = createAutoscaler(policy());
    assert.equal(a.decide(0), null);
    a.observe({ at: 0, replicas: 2 });
    assert.equal(a.decide(0), null);
  });

  it('rejects a policy without a target or with min above max', () => {
    assert.throws(() => createAutoscaler(policy({ targetCpuPercent: undefined })), {
      code: 'request.invalid',
    });
    assert.throws(() => createAutoscaler(policy({ min: 5, max: 2 })), { code: 'request.invalid' });
    assert.throws(() => createAutoscaler(policy({ targetCpuPercent: 0 })), { code: 'request.invalid' });
  });

  it('a rising CPU series grows the service toward max, never down on the way', (t) => {
    const steps = simulate(policy({ max: 6 }), (ms) => Math.min(600, ms / 1000), 900);
    const ds = decisions(steps);
    t.diagnostic(ds.map((d) => `${d.from}→${d.to}`).join(' '));
    assert.ok(ds.length >= 2);
    for (const d of ds) assert.ok(d.to > d.from, `${d.from}→${d.to}: ${d.reason}`);
    assert.equal(steps.at(-1)?.replicas, 6);
  });

  it('a falling series shrinks back to min only after the stabilisation window', (t) => {
    const p = policy({ max: 6, scaleDownCooldownMs: 30_000, scaleDownStabilizationMs: 120_000 });
    const endOfLoad = 300_000;
    const steps = simulate(p, (ms) => (ms < endOfLoad ? 500 : 5), 900);
    const ds = decisions(steps);
    t.diagnostic(ds.map((d) => `${d.from}→${d.to}`).join(' '));
    const peak = Math.max(...steps.map((s) => s.replicas));
    assert.ok(peak >= 5, `reached ${peak} under load`);
    const firstDown = steps.find((s) => s.decision && s.decision.to < s.decision.from);
    assert.ok(firstDown, 'it shrinks after the load ends');
    assert.ok(
      firstDown.at >= endOfLoad + 120_000,
      `first scale-down at ${firstDown.at} ms, inside the window`,
    );
    assert.match(
      firstDown.decision?.reason ?? '',
      /< target 50% .*highest recommendation over the last 120 s: \d+$/,
    );
    assert.equal(steps.at(-1)?.replicas, 1);
  });

  it('a brief dip inside the window removes nothing', () => {
    const p = policy({ max: 6, scaleDownStabilizationMs: 120_000 });
    // Load of 250% with a 60 s dip to nothing at 10 min.
    const steps = simulate(p, (ms) => (ms >= 600_000 && ms < 660_000 ? 0 : 250), 1200, 5);
    const downs = decisions(steps).filter((d) => d.to < d.from && d.to < 5);
    assert.deepEqual(downs, []);
  });

  it('a steady load settles and yields a bounded number of decisions', (t) => {
    const rnd = random(7);
    const steps = simulate(
      policy({ max: 10 }),
      () => 230,
      3600,
      1,
      () => (rnd() - 0.5) * 0.1,
    );
    const ds = decisions(steps);
    t.diagnostic(`${ds.length} decisions in an hour: ${ds.map((d) => `${d.from}→${d.to}`).join(' ')}`);
    assert.ok(ds.length <= 3, `${ds.length} decisions`);
    assert.equal(steps.at(-1)?.replicas, 5);
  });

  it('noisy samples around the target yield no decision (and would without the tolerance)', () => {
    const noisy = (tolerance?: number): number => {
      const rnd = random(42);
      const a = createAutoscaler(policy({ max: 10, tolerance, metricWindowMs: 5000 }));
      let count = 0;
      for (let t = 0; t <= 3_600_000; t += 5000) {
        // 4 replicas at 50% ± 9%.
        a.observe({ at: t, replicas: 4, cpuPercent: 50 * (1 + (rnd() - 0.5) * 0.18) });
        if (a.decide(t)) count++;
      }
      return count;
    };
    assert.equal(noisy(), 0);
    assert.ok(noisy(0) > 0, 'without the tolerance band the same series flaps');
  });
});
