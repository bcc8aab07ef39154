import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  evaluateNetworkGoals,
  formatSetupTable,
  formatThroughputTable,
  medianStretches,
  type SetupResult,
  type ThroughputResult,
} from './network-report.js';
import type { SdkPhases } from './sdk-run.js';
import { summarize } from './stats.js';

/** A run whose stretches are create `c`, start `s` and removal `r` ms (2 ms for the rest). */
function run(c: number, s: number, r: number): SdkPhases {
  const created = c;
  const attached = created + 1;
  const waitRegistered = attached + 1;
  const startReturned = waitRegistered + s;
  const exitSeen = startReturned + 2;
  return { created, attached, waitRegistered, startReturned, exitSeen, removed: exitSeen + r };
}

function setup(key: SetupResult['key'], runs: SdkPhases[]): SetupResult {
  return { key, name: key, summary: summarize(runs.map((p) => p.removed)), phases: runs };
}

const through = (key: ThroughputResult['key'], rates: number[]): ThroughputResult => ({
  key,
  name: key,
  summary: summarize(rates),
});

test('medianStretches: the median of each stretch, not the stretch of the median run', () => {
  const stretches = medianStretches([run(1, 60, 20), run(3, 70, 10), run(2, 80, 30)]);
  assert.deepEqual(stretches, { create: 2, start: 70, remove: 20 });
  assert.throws(() => medianStretches([]), /no runs/);
});

test('network goals: under 50 ms added per networked case, published ports at least 0.8× direct', () => {
  const none = setup('none', [run(3, 60, 20)]); // 87 ms
  const met = evaluateNetworkGoals(
    [none, setup('bridge', [run(3, 75, 20)]), setup('port', [run(3, 100, 29)])],
    [through('direct', [1000, 1100, 900]), through('loopback', [900]), through('host-address', [800])],
  );
  assert.deepEqual(
    met.map((g) => g.met),
    [true, true, true, true],
  );
  assert.match(met[0]?.detail ?? '', /102\.0 ms − 87\.0 ms = \+15\.0 ms/);
  assert.match(met[3]?.detail ?? '', /800\.0 MB\/s \/ 1000\.0 MB\/s = 0\.80×/);

  const missed = evaluateNetworkGoals(
    [none, setup('user', [run(3, 110, 20)])],
    [through('direct', [1000]), through('loopback', [799])],
  );
  assert.deepEqual(
    missed.map((g) => g.met),
    [false, false],
  );
  assert.throws(() => evaluateNetworkGoals([setup('bridge', [run(3, 60, 20)])], []), /no none case/);
});

test('set-up table: added ms and per-stretch deltas against none; throughput table: ratio to direct', () => {
  const table = formatSetupTable([setup('none', [run(3, 60, 20)]), setup('user', [run(4, 72, 25)])]);
  const [head, noneRow, userRow] = table.split('\n');
  assert.match(
    head ?? '',
    /^name\s+median ms\s+p90 ms\s+min ms\s+added ms\s+create \+\s+start \+\s+removal \+$/,
  );
  assert.match(noneRow ?? '', /^none\s+87\.0\s+87\.0\s+87\.0\s+-\s+3\.0\s+60\.0\s+20\.0$/);
  assert.match(userRow ?? '', /^user\s+105\.0\s+105\.0\s+105\.0\s+\+18\.0\s+\+1\.0\s+\+12\.0\s+\+5\.0$/);

  const rates = formatThroughputTable([through('direct', [1000, 1200]), through('loopback', [880])]);
  assert.match(rates.split('\n')[1] ?? '', /^direct\s+1100\.0\s+1000\.0\s+1200\.0\s+1\.00×$/);
  assert.match(rates.split('\n')[2] ?? '', /^loopback\s+880\.0\s+880\.0\s+880\.0\s+0\.80×$/);
});
