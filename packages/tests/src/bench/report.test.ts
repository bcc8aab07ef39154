import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  evaluateExecGoals,
  evaluateGoals,
  evaluateMemoryGoals,
  formatGoals,
  formatPhases,
  formatTable,
  phaseDurations,
  type CaseResult,
} from './report.js';
import { summarize } from './stats.js';

const result = (key: CaseResult['key'], ms: number[]): CaseResult => ({
  key,
  name: key,
  summary: summarize(ms),
});

test('goals without podman: SDK under 2.5× crun, CLI under 5× crun', () => {
  const goals = evaluateGoals([
    result('crun', [10, 10, 10]),
    result('sdk', [24, 24, 24]),
    result('cli', [60, 60, 60]),
  ]);
  assert.deepEqual(
    goals.map((g) => [g.goal, g.met]),
    [
      ['SDK path under 2.5× raw crun', true],
      ['CLI path under 5× raw crun (podman absent)', false],
      ["SDK path ≤ 2× raw crun run of a bundle with the same config (Polis's own config.json)", undefined],
    ],
  );
});

test("the SDK path is judged against crun running Polis's own config.json: at most 2×", () => {
  const base = [result('crun', [10]), result('cli', [100])];
  const judged = (sdk: number): boolean | undefined =>
    evaluateGoals([...base, result('sdk', [sdk]), result('crun-polis', [20])])[2]?.met;
  assert.equal(judged(40), true);
  assert.equal(judged(41), false);
});

test('goals with podman: the CLI must be at least twice as fast as podman', () => {
  const base = [result('crun', [10]), result('sdk', [30]), result('cli', [100])];
  const slow = evaluateGoals([...base, result('podman', [199])]);
  assert.equal(slow[0]?.met, false);
  assert.equal(slow[1]?.goal, 'CLI path at least 2× faster than podman run --rm --network none');
  assert.equal(slow[1]?.met, false);
  assert.equal(evaluateGoals([...base, result('podman', [200])])[1]?.met, true);
});

test('goals need the cases they compare', () => {
  assert.throws(() => evaluateGoals([result('crun', [10]), result('cli', [20])]));
});

test('table has a ratio column against crun, and against podman only when present', () => {
  const table = formatTable([result('crun', [10, 20, 30]), result('sdk', [40, 40, 40])]).split('\n');
  assert.match(table[0] ?? '', /^name\s+median ms\s+p90 ms\s+min ms\s+vs crun$/);
  assert.match(table[2] ?? '', /^sdk\s+40\.0\s+40\.0\s+40\.0\s+2\.00×$/);
  const withPodman = formatTable([result('crun', [10]), result('podman', [50])]);
  assert.match(withPodman, /vs podman/);
  assert.match(withPodman, /podman\s+50\.0\s+50\.0\s+50\.0\s+5\.00×\s+1\.00×/);
});

test('phase durations are the gaps between phase ends', () => {
  const p = { created: 5, attached: 7, waitRegistered: 8, startReturned: 20, exitSeen: 22, removed: 30 };
  assert.deepEqual(phaseDurations(p), {
    created: 5,
    attached: 2,
    waitRegistered: 1,
    startReturned: 12,
    exitSeen: 2,
    removed: 8,
  });
  assert.match(formatPhases(p, phaseDurations(p)), /startReturned\s+20\.0\s+12\.0\s+12\.0/);
});

test('exec goals: SDK under 3× crun exec; without docker and podman the CLI goal is not measurable', () => {
  const base = [result('exec-crun', [10]), result('exec-sdk', [29]), result('exec-cli', [150])];
  const goals = evaluateExecGoals(base);
  assert.deepEqual(
    goals.map((g) => [g.goal, g.met]),
    [
      ['exec through the SDK under 3× raw crun exec', true],
      ["polis exec from the CLI faster than docker's and podman's", undefined],
    ],
  );
  assert.match(formatGoals(goals), /^N\/A {6}polis exec from the CLI .*: not measurable here, /m);
  assert.equal(evaluateExecGoals([...base.slice(0, 1), result('exec-sdk', [30]), base[2]!])[0]?.met, false);
  assert.throws(() => evaluateExecGoals(base.slice(0, 2)));
});

test('exec goals: the CLI must beat every engine present', () => {
  const base = [result('exec-crun', [10]), result('exec-sdk', [20]), result('exec-cli', [150])];
  const docker = evaluateExecGoals([...base, result('exec-docker', [160])])[1];
  assert.equal(docker?.met, true);
  assert.match(docker?.detail ?? '', /podman absent/);
  assert.equal(
    evaluateExecGoals([...base, result('exec-docker', [160]), result('exec-podman', [140])])[1]?.met,
    false,
  );
});

test('memory goals: within 1.2× conmon, and no new Node process', () => {
  const facts = { containers: 50, perContainerKiB: 2400, conmonKiB: 2000, nodeBefore: 1, nodeAfter: 1 };
  assert.deepEqual(
    evaluateMemoryGoals(facts).map((g) => g.met),
    [true, true],
  );
  assert.deepEqual(
    evaluateMemoryGoals({ ...facts, perContainerKiB: 2500, nodeAfter: 51 }).map((g) => g.met),
    [false, false],
  );
});

test('the exec table compares with crun exec', () => {
  const table = formatTable([result('exec-crun', [10]), result('exec-sdk', [25])], {
    base: 'exec-crun',
    podman: 'exec-podman',
    label: ' exec',
  });
  assert.match(table, /^name\s+median ms\s+p90 ms\s+min ms\s+vs crun exec$/m);
  assert.match(table, /exec-sdk\s+25\.0\s+25\.0\s+25\.0\s+2\.50×/);
});
