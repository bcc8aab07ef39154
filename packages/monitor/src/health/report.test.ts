import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { degraded, healthy, unhealthy, type HealthCheck } from '@polis/core';
import { judgeSpace } from './core-checks.js';
import { runHealthChecks, worst } from './report.js';

const fake = (component: string, name: string, run: HealthCheck['run']): HealthCheck => ({
  component,
  name,
  run,
});

describe('component health aggregation', () => {
  it('is healthy when every check is, and keeps components in the order given', async () => {
    const r = await runHealthChecks([
      fake('core', 'a', () => healthy('ok')),
      fake('network', 'b', () => healthy('ok')),
      fake('core', 'c', async () => healthy('ok')),
    ]);
    assert.equal(r.status, 'healthy');
    assert.deepEqual(
      r.components.map((c) => [c.name, c.status, c.checks.map((k) => k.name)]),
      [
        ['core', 'healthy', ['a', 'c']],
        ['network', 'healthy', ['b']],
      ],
    );
  });

  it('a component is its worst check, the report its worst component', async () => {
    const r = await runHealthChecks([
      fake('core', 'space', () => degraded('low', 'prune')),
      fake('core', 'ok', () => healthy('ok')),
      fake('network', 'bridge', () => unhealthy('gone', 'recreate')),
      fake('security', 'seccomp', () => healthy('ok')),
    ]);
    assert.deepEqual(
      r.components.map((c) => [c.name, c.status]),
      [
        ['core', 'degraded'],
        ['network', 'unhealthy'],
        ['security', 'healthy'],
      ],
    );
    assert.equal(r.status, 'unhealthy');
    assert.equal(r.components[1]?.checks[0]?.remedy, 'recreate');
    const onlyDegraded = await runHealthChecks([fake('core', 'space', () => degraded('low', 'prune'))]);
    assert.equal(onlyDegraded.status, 'degraded');
  });

  it('a check that throws or hangs is unhealthy, and does not hold up the others (a hang would never end this test)', async () => {
    const r = await runHealthChecks(
      [
        fake('runtime', 'throws', () => {
          throw new Error('boom');
        }),
        fake('runtime', 'hangs', () => new Promise(() => undefined)),
        fake('monitor', 'fine', () => healthy('ok')),
      ],
      100,
    );
    const checks = r.components.flatMap((c) => c.checks);
    assert.deepEqual(
      checks.map((k) => [k.name, k.status]),
      [
        ['throws', 'unhealthy'],
        ['hangs', 'unhealthy'],
        ['fine', 'healthy'],
      ],
    );
    assert.match(checks[0]?.message ?? '', /boom/);
    assert.match(checks[1]?.message ?? '', /no answer within 100 ms/);
    assert.equal(r.status, 'unhealthy');
  });

  it('worst of nothing is healthy', () => {
    assert.equal(worst([]), 'healthy');
    assert.equal(worst(['degraded', 'healthy']), 'degraded');
  });
});

describe('free space thresholds', () => {
  const GB = 1024 ** 3;
  it('healthy at 10% and above, degraded below, unhealthy below 2% or 100 MB', () => {
    assert.equal(judgeSpace('data root', '/d', 50 * GB, 100 * GB).status, 'healthy');
    assert.equal(judgeSpace('data root', '/d', 10 * GB, 100 * GB).status, 'healthy');
    assert.equal(judgeSpace('data root', '/d', 9 * GB, 100 * GB).status, 'degraded');
    assert.equal(judgeSpace('data root', '/d', 1.5 * GB, 100 * GB).status, 'unhealthy');
    // A small file system: 50% free but only 90 MB.
    assert.equal(judgeSpace('exec root', '/r', 90 * 1024 ** 2, 180 * 1024 ** 2).status, 'unhealthy');
    const d = judgeSpace('data root', '/d', 9 * GB, 100 * GB);
    assert.match(d.message, /\/d: 9216 MB free of 102400 MB \(9\.0%\)/);
    assert.match(d.remedy ?? '', /prune/);
  });
});
