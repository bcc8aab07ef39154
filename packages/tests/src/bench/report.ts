/** The benchmark's table, goals and phase breakdown as text. */
import type { Summary } from './stats.js';
import { PHASE_NAMES, type SdkPhases } from './sdk-run.js';
import { layout } from './common.js';

/** Keys of the measured cases; the goals refer to these. */
export type CaseKey =
  | 'cli'
  | 'sdk'
  | 'crun'
  | 'crun-secure'
  | 'crun-polis'
  | 'node'
  | 'podman'
  | 'docker'
  | 'runc'
  | 'sdk-runc'
  | 'exec-cli'
  | 'exec-sdk'
  | 'exec-crun'
  | 'exec-podman'
  | 'exec-docker';

export interface CaseResult {
  key: CaseKey;
  name: string;
  summary: Summary;
}

export interface Goal {
  goal: string;
  /** undefined: not measurable on this machine. */
  met: boolean | undefined;
  detail: string;
}

const fmt = (ms: number): string => ms.toFixed(1);
const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}×`;

function byKey(results: readonly CaseResult[], key: CaseKey): Summary | undefined {
  return results.find((r) => r.key === key)?.summary;
}

/** The goals, judged on medians. */
export function evaluateGoals(results: readonly CaseResult[]): Goal[] {
  const crun = byKey(results, 'crun');
  const sdk = byKey(results, 'sdk');
  const cli = byKey(results, 'cli');
  const podman = byKey(results, 'podman');
  if (!crun || !sdk || !cli) throw new Error('goals need the crun, sdk and cli cases');
  const goals: Goal[] = [];
  const sdkRatio = sdk.median / crun.median;
  goals.push({
    goal: 'SDK path under 2.5× raw crun',
    met: sdkRatio < 2.5,
    detail: `${fmt(sdk.median)} ms / ${fmt(crun.median)} ms = ${sdkRatio.toFixed(2)}×`,
  });
  if (podman) {
    const speedup = podman.median / cli.median;
    goals.push({
      goal: 'CLI path at least 2× faster than podman run --rm --network none',
      met: speedup >= 2,
      detail: `${fmt(podman.median)} ms / ${fmt(cli.median)} ms = ${speedup.toFixed(2)}× faster`,
    });
  } else {
    const cliRatio = cli.median / crun.median;
    goals.push({
      goal: 'CLI path under 5× raw crun (podman absent)',
      met: cliRatio < 5,
      detail: `${fmt(cli.median)} ms / ${fmt(crun.median)} ms = ${cliRatio.toFixed(2)}×`,
    });
  }
  const secure = byKey(results, 'crun-polis');
  if (secure) {
    const ratio = sdk.median / secure.median;
    goals.push({
      goal: "SDK path ≤ 2× raw crun run of a bundle with the same config (Polis's own config.json)",
      met: ratio <= 2,
      detail: `${fmt(sdk.median)} ms / ${fmt(secure.median)} ms = ${ratio.toFixed(2)}×`,
    });
  } else {
    goals.push({
      goal: "SDK path ≤ 2× raw crun run of a bundle with the same config (Polis's own config.json)",
      met: undefined,
      detail: "missing: no crun run of Polis's own config.json was measured",
    });
  }
  return goals;
}

/** The exec goals: the SDK under 3× raw `crun exec`, the CLI faster than docker's and podman's exec. */
export function evaluateExecGoals(results: readonly CaseResult[]): Goal[] {
  const crun = byKey(results, 'exec-crun');
  const sdk = byKey(results, 'exec-sdk');
  const cli = byKey(results, 'exec-cli');
  if (!crun || !sdk || !cli) throw new Error('exec goals need the exec-crun, exec-sdk and exec-cli cases');
  const sdkRatio = sdk.median / crun.median;
  const goals: Goal[] = [
    {
      goal: 'exec through the SDK under 3× raw crun exec',
      met: sdkRatio < 3,
      detail: `${fmt(sdk.median)} ms / ${fmt(crun.median)} ms = ${sdkRatio.toFixed(2)}×`,
    },
  ];
  const goal = "polis exec from the CLI faster than docker's and podman's";
  const others = (['exec-docker', 'exec-podman'] as const).flatMap((key) => {
    const s = byKey(results, key);
    return s ? [{ engine: key.slice('exec-'.length), s }] : [];
  });
  if (others.length === 0) {
    goals.push({ goal, met: undefined, detail: 'neither docker nor podman is installed and working' });
    return goals;
  }
  const parts = others.map(
    ({ engine, s }) => `${engine} ${fmt(s.median)} ms (${(s.median / cli.median).toFixed(2)}×)`,
  );
  if (others.length === 1) parts.push(`${others[0]?.engine === 'docker' ? 'podman' : 'docker'} absent`);
  goals.push({
    goal,
    met: others.every(({ s }) => cli.median < s.median),
    detail: `polis ${fmt(cli.median)} ms vs ${parts.join(', ')}`,
  });
  return goals;
}

/** What the idle-memory measurement found; see idle-memory.ts. */
export interface IdleMemoryFacts {
  containers: number;
  perContainerKiB: number;
  /** One conmon supervising one container, measured on its own. */
  conmonKiB: number;
  nodeBefore: number;
  nodeAfter: number;
}

export function evaluateMemoryGoals(m: IdleMemoryFacts): Goal[] {
  const r = m.perContainerKiB / m.conmonKiB;
  return [
    {
      goal: `memory per idle running container (${m.containers}) within 1.2× conmon's own`,
      met: r <= 1.2,
      detail: `${mib(m.perContainerKiB)} / ${mib(m.conmonKiB)} = ${r.toFixed(2)}×`,
    },
    {
      goal: 'no Node process per container',
      met: m.nodeAfter === m.nodeBefore,
      detail: `daemon's Node processes: ${m.nodeBefore} with 0 containers, ${m.nodeAfter} with ${m.containers}`,
    },
  ];
}

export const mib = (kib: number): string => `${(kib / 1024).toFixed(2)} MiB`;

/** The cases with ratios against a base case (crun's run by default) and, when present, podman's. */
export function formatTable(
  results: readonly CaseResult[],
  against: { base: CaseKey; podman: CaseKey; label?: string } = { base: 'crun', podman: 'podman' },
): string {
  const crun = byKey(results, against.base);
  const podman = byKey(results, against.podman);
  const label = against.label ?? '';
  const head = ['name', 'median ms', 'p90 ms', 'min ms', `vs crun${label}`];
  if (podman) head.push(`vs podman${label}`);
  const rows = results.map(({ name, summary: s }) => {
    const row = [name, fmt(s.median), fmt(s.p90), fmt(s.min), crun ? ratio(s.median, crun.median) : '-'];
    if (podman) row.push(ratio(s.median, podman.median));
    return row;
  });
  return layout([head, ...rows]);
}

export function formatGoals(goals: readonly Goal[]): string {
  const status = (g: Goal): string => (g.met === undefined ? 'N/A    ' : g.met ? 'MET    ' : 'NOT MET');
  return goals
    .map((g) => `${status(g)}  ${g.goal}: ${g.met === undefined ? 'not measurable here, ' : ''}${g.detail}`)
    .join('\n');
}

/** Each phase's end time and its own duration in one run, beside the median duration over all runs. */
export function formatPhases(
  representative: SdkPhases,
  medianDurations: Record<keyof SdkPhases, number>,
): string {
  const rows = [['phase', 'done at ms', 'took ms', 'median took ms']];
  let previous = 0;
  for (const name of PHASE_NAMES) {
    rows.push([
      name,
      fmt(representative[name]),
      fmt(representative[name] - previous),
      fmt(medianDurations[name]),
    ]);
    previous = representative[name];
  }
  return layout(rows);
}

/** Per-phase durations (time since the previous phase ended) of one run. */
export function phaseDurations(p: SdkPhases): Record<keyof SdkPhases, number> {
  let previous = 0;
  const out = {} as Record<keyof SdkPhases, number>;
  for (const name of PHASE_NAMES) {
    out[name] = p[name] - previous;
    previous = p[name];
  }
  return out;
}
