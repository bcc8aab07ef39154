import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluatePullGoals, formatDetails, formatPullTable, type PullResult } from './pull-report.js';
import { summarize } from './stats.js';

const MIB = 1024 * 1024;

const result = (key: PullResult['key'], ms: number[], details: PullResult['details'] = {}): PullResult => ({
  key,
  name: key,
  summary: summarize(ms),
  details,
});

test('pull goals: faster than skopeo+umoci, within 1.5× of tar alone', () => {
  const met = evaluatePullGoals([
    result('polis', [4000, 4200, 4100]),
    result('skopeo-umoci', [5000]),
    result('tar', [3000]),
  ]);
  assert.deepEqual(
    met.map((g) => [g.goal, g.met]),
    [
      ["polis pull faster than skopeo copy + umoci unpack (podman's path)", true],
      ['polis pull within 1.5× of GNU tar alone on the same layers', true],
    ],
  );
  assert.match(met[1]?.detail ?? '', /4100\.0 ms \/ 3000\.0 ms = 1\.37×/);
  const missed = evaluatePullGoals([
    result('polis', [6000]),
    result('skopeo-umoci', [5000]),
    result('tar', [3000]),
  ]);
  assert.deepEqual(
    missed.map((g) => g.met),
    [false, false],
  );
});

test('pull goals: a measured engine adds a context goal; the three base cases are required', () => {
  const goals = evaluatePullGoals([
    result('polis', [4000]),
    result('skopeo-umoci', [5000]),
    result('tar', [3000]),
    result('docker', [3500]),
  ]);
  assert.equal(goals.length, 3);
  assert.equal(goals[2]?.goal, '(context) polis pull faster than docker pull');
  assert.equal(goals[2]?.met, false);
  assert.throws(() => evaluatePullGoals([result('polis', [1]), result('tar', [1])]), /skopeo-umoci/);
});

test('pull table: throughput per second of the median and ratios to skopeo+umoci and tar', () => {
  const table = formatPullTable(
    [result('polis', [2000, 4000, 3000]), result('skopeo-umoci', [6000]), result('tar', [1500])],
    { gzipBytes: 150 * MIB, tarBytes: 300 * MIB },
  );
  const lines = table.split('\n');
  assert.equal(lines.length, 4);
  assert.match(lines[0] ?? '', /^name\s+median ms\s+min ms\s+max ms\s+gzip MiB\/s\s+tar MiB\/s/);
  assert.deepEqual((lines[1] ?? '').split(/\s+/), [
    'polis',
    '3000.0',
    '2000.0',
    '4000.0',
    '50.0',
    '100.0',
    '0.50×',
    '2.00×',
  ]);
  assert.deepEqual((lines[3] ?? '').split(/\s+/).slice(-2), ['0.25×', '1.00×']);
});

test('pull details: each case with sub-measurements under its name, others left out', () => {
  const text = formatDetails([
    result('polis', [1], { 'wall: a (ms)': 12.34, 'cpu: b (ms)': 5 }),
    result('fetch', [1]),
  ]);
  assert.deepEqual(
    text.split('\n').map((l) => l.trimEnd()),
    ['case / measurement  median', 'polis', '  wall: a (ms)        12.3', '  cpu: b (ms)          5.0'],
  );
});
