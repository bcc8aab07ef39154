import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseComposeDuration } from './duration.js';
import { parseAutoscale } from './parse-autoscale.js';

describe('x-polis-autoscale', () => {
  it('parses compose durations', () => {
    assert.equal(parseComposeDuration('30s', 'x'), 30_000);
    assert.equal(parseComposeDuration('1m30s', 'x'), 90_000);
    assert.equal(parseComposeDuration('1.5h', 'x'), 5_400_000);
    assert.equal(parseComposeDuration('250ms', 'x'), 250);
    assert.equal(parseComposeDuration('0', 'x'), 0);
    assert.equal(parseComposeDuration(45, 'x'), 45_000);
    assert.equal(parseComposeDuration('45', 'x'), 45_000);
    assert.throws(() => parseComposeDuration('30 seconds', 'service "w": k'), {
      code: 'request.invalid',
      message: 'service "w": k: invalid duration "30 seconds" (e.g. "30s", "1m30s")',
    });
    assert.throws(() => parseComposeDuration('-1s', 'x'), { code: 'request.invalid' });
    assert.throws(() => parseComposeDuration('s', 'x'), { code: 'request.invalid' });
  });

  it('a full policy, numbers as interpolation leaves them (strings) accepted', () => {
    assert.deepEqual(
      parseAutoscale(
        {
          min: '2',
          max: 8,
          target_cpu_percent: 60,
          scale_up_cooldown: '10s',
          scale_down_cooldown: '1m30s',
          scale_down_stabilization: '2m',
        },
        'web',
      ),
      {
        min: 2,
        max: 8,
        targetCpuPercent: 60,
        scaleUpCooldownMs: 10_000,
        scaleDownCooldownMs: 90_000,
        scaleDownStabilizationMs: 120_000,
      },
    );
  });

  it('defaults: min 1, cooldowns 15 s up and 60 s down; several targets kept', () => {
    assert.deepEqual(
      parseAutoscale({ max: 3, target_memory_percent: 70, target_requests_per_second: '50.5' }, 'api'),
      {
        min: 1,
        max: 3,
        targetMemoryPercent: 70,
        targetRequestsPerSecond: 50.5,
        scaleUpCooldownMs: 15_000,
        scaleDownCooldownMs: 60_000,
      },
    );
  });

  it('absent means no autoscaling', () => {
    assert.equal(parseAutoscale(undefined, 'web'), undefined);
    assert.equal(parseAutoscale(null, 'web'), undefined);
  });

  it('bad input: errors name the service and the key', () => {
    const cases: [unknown, string][] = [
      ['yes', 'service "web": x-polis-autoscale must be a mapping'],
      [{ target_cpu_percent: 50 }, 'service "web": x-polis-autoscale.max is required'],
      [
        { max: 2 },
        'service "web": x-polis-autoscale: needs one of target_cpu_percent, target_memory_percent, target_requests_per_second',
      ],
      [
        { max: 2.5, target_cpu_percent: 50 },
        'service "web": x-polis-autoscale.max must be a whole number ≥ 1 (got 2.5)',
      ],
      [{ min: 4, max: 2, target_cpu_percent: 50 }, 'service "web": x-polis-autoscale: min 4 is above max 2'],
      [
        { max: 2, target_cpu_percent: 0 },
        'service "web": x-polis-autoscale.target_cpu_percent must be a number above 0 (got 0)',
      ],
      [
        { max: 2, target_cpu_percent: 'half' },
        'service "web": x-polis-autoscale.target_cpu_percent must be a number above 0 (got "half")',
      ],
      [
        { max: 2, target_cpu_percent: 50, scale_up_cooldown: 'soon' },
        'service "web": x-polis-autoscale.scale_up_cooldown: invalid duration "soon" (e.g. "30s", "1m30s")',
      ],
      [
        { max: 2, target_cpu: 50 },
        'service "web": x-polis-autoscale: unknown key target_cpu (known: min, max, target_cpu_percent, target_memory_percent, target_requests_per_second, scale_up_cooldown, scale_down_cooldown, scale_down_stabilization)',
      ],
    ];
    for (const [raw, message] of cases)
      assert.throws(() => parseAutoscale(raw, 'web'), { code: 'request.invalid', message });
  });
});
