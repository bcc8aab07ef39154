/** The network benchmark's tables and goals as text. */
import type { Goal } from './report.js';
import { median, type Summary } from './stats.js';
import type { SdkPhases } from './sdk-run.js';
import { layout } from './common.js';

/** The set-up cases: no network (the reference), the default bridge, a user network, bridge + `-p`. */
export type SetupKey = 'none' | 'bridge' | 'user' | 'port';
/** The throughput paths: the container's own address (the reference) and two published-port routes. */
export type ThroughputKey = 'direct' | 'loopback' | 'host-address';

export interface SetupResult {
  key: SetupKey;
  name: string;
  summary: Summary;
  /** Every measured run's phase timestamps (ms since the run began). */
  phases: SdkPhases[];
}

export interface ThroughputResult {
  key: ThroughputKey;
  name: string;
  /** MB/s (10^6 bytes per second) of each fetch. */
  summary: Summary;
}

/** The bound on what network set-up may add to one container's run. */
export const SETUP_BUDGET_MS = 50;
/** The floor for published-port throughput as a fraction of a direct connection. */
export const THROUGHPUT_FLOOR = 0.8;

const fmt = (n: number): string => n.toFixed(1);
const signed = (n: number): string => `${n >= 0 ? '+' : ''}${fmt(n)}`;

/**
 * The three stretches of the SDK path where a network can cost time: create (endpoints recorded),
 * start (crun create, wiring, crun start) and exit → removed (unwiring, ports, leases), each the
 * median over the runs of that stretch's duration.
 */
export function medianStretches(phases: readonly SdkPhases[]): {
  create: number;
  start: number;
  remove: number;
} {
  if (phases.length === 0) throw new Error('stretches of no runs');
  const of = (f: (p: SdkPhases) => number): number => median(phases.map(f));
  return {
    create: of((p) => p.created),
    start: of((p) => p.startReturned - p.waitRegistered),
    remove: of((p) => p.removed - p.exitSeen),
  };
}

function byKey<R extends { key: string; summary: Summary }>(results: readonly R[], key: R['key']): R {
  const r = results.find((x) => x.key === key);
  if (!r) throw new Error(`network bench: no ${key} case`);
  return r;
}

/** Medians and spread of each case, what it adds to `none`, and where (create, start, removal). */
export function formatSetupTable(results: readonly SetupResult[]): string {
  const none = byKey(results, 'none');
  const base = medianStretches(none.phases);
  const head = ['name', 'median ms', 'p90 ms', 'min ms', 'added ms', 'create +', 'start +', 'removal +'];
  const rows = results.map(({ key, name, summary: s, phases }) => {
    const st = medianStretches(phases);
    const own = key === 'none';
    return [
      name,
      fmt(s.median),
      fmt(s.p90),
      fmt(s.min),
      own ? '-' : signed(s.median - none.summary.median),
      own ? fmt(st.create) : signed(st.create - base.create),
      own ? fmt(st.start) : signed(st.start - base.start),
      own ? fmt(st.remove) : signed(st.remove - base.remove),
    ];
  });
  return layout([head, ...rows]);
}

/** MB/s of each path and its ratio to the direct connection. */
export function formatThroughputTable(results: readonly ThroughputResult[]): string {
  const direct = byKey(results, 'direct');
  const head = ['path', 'median MB/s', 'min MB/s', 'max MB/s', 'vs direct'];
  const rows = results.map(({ name, summary: s }) => [
    name,
    fmt(s.median),
    fmt(s.min),
    fmt(s.max),
    `${(s.median / direct.summary.median).toFixed(2)}×`,
  ]);
  return layout([head, ...rows]);
}

/**
 * Each networked case adds under SETUP_BUDGET_MS to the `none` median; each published-port path
 * carries at least THROUGHPUT_FLOOR of the direct connection's median throughput.
 */
export function evaluateNetworkGoals(
  setup: readonly SetupResult[],
  throughput: readonly ThroughputResult[],
): Goal[] {
  const none = byKey(setup, 'none').summary.median;
  const goals: Goal[] = setup
    .filter((r) => r.key !== 'none')
    .map((r) => {
      const added = r.summary.median - none;
      return {
        goal: `${r.name}: under ${SETUP_BUDGET_MS} ms added per container vs --network none`,
        met: added < SETUP_BUDGET_MS,
        detail: `${fmt(r.summary.median)} ms − ${fmt(none)} ms = ${signed(added)} ms`,
      };
    });
  const direct = byKey(throughput, 'direct').summary.median;
  for (const r of throughput.filter((x) => x.key !== 'direct')) {
    const ratio = r.summary.median / direct;
    goals.push({
      goal: `${r.name}: at least ${THROUGHPUT_FLOOR}× the direct connection's throughput`,
      met: ratio >= THROUGHPUT_FLOOR,
      detail: `${fmt(r.summary.median)} MB/s / ${fmt(direct)} MB/s = ${ratio.toFixed(2)}×`,
    });
  }
  return goals;
}
