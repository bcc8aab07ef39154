import { performance } from 'node:perf_hooks';

/** One timed step of a container's run. `at` is ms since the run's trace began (its create). */
export interface TraceStage {
  stage: string;
  at: number;
  ms: number;
}

/** A run as `GET /polis/v1/debug/trace` shows it: the stages in the order they ended. */
export interface RunTrace {
  id: string;
  began: string;
  /** Until the container is removed the run stays open and its stages keep coming. */
  done: boolean;
  totalMs: number;
  stages: TraceStage[];
}

interface OpenTrace extends RunTrace {
  origin: number;
}

/** Open runs kept at most; the oldest is closed when a daemon creates containers it never removes. */
const MAX_OPEN = 200;

/**
 * Where the milliseconds of each run went, for the last `keep` runs: create, start, exit and removal
 * mark their stages here. Always on: a stage costs two `performance.now()` calls and an array push,
 * and nothing is written anywhere, so the trace can be read from a daemon that is already slow.
 */
export class RunTracer {
  private readonly open = new Map<string, OpenTrace>();
  private readonly closed: RunTrace[] = [];

  constructor(private readonly keep = 50) {}

  /** The clock stages are measured with (monotonic, ms). */
  now(): number {
    return performance.now();
  }

  /** Starts the trace of a container's run at `since` (its create request's arrival, say). */
  begin(id: string, since = this.now()): void {
    if (this.open.size >= MAX_OPEN) {
      const oldest = this.open.keys().next().value;
      if (oldest !== undefined) this.end(oldest);
    }
    this.open.set(id, {
      id,
      began: new Date(Date.now() - (this.now() - since)).toISOString(),
      done: false,
      totalMs: 0,
      stages: [],
      origin: since,
    });
  }

  /** Records `stage` as lasting from `since` until now (or `until`); returns the end, to chain stages. */
  mark(id: string, stage: string, since: number, until = this.now()): number {
    const run = this.open.get(id);
    if (!run) return until;
    run.stages.push({ stage, at: round(since - run.origin), ms: round(until - since) });
    run.totalMs = Math.max(run.totalMs, round(until - run.origin));
    return until;
  }

  /** When the run's latest stage ended (for a stage measured from there, the run itself). */
  lastEnd(id: string): number | undefined {
    const run = this.open.get(id);
    return run ? run.origin + run.totalMs : undefined;
  }

  /** Times a step: `await tracer.step(id, 'network attach', () => attach())`. */
  async step<T>(id: string, stage: string, work: () => Promise<T> | T): Promise<T> {
    const since = this.now();
    try {
      return await work();
    } finally {
      this.mark(id, stage, since);
    }
  }

  /** The run is over (the container was removed): it moves to the kept list. */
  end(id: string): void {
    const run = this.open.get(id);
    if (!run) return;
    this.open.delete(id);
    const { origin: _origin, ...kept } = run;
    this.closed.push({ ...kept, done: true });
    if (this.closed.length > this.keep) this.closed.splice(0, this.closed.length - this.keep);
  }

  /** The last `limit` runs, newest first; runs still open come first. */
  list(limit = this.keep): RunTrace[] {
    const open = [...this.open.values()].map(({ origin: _origin, ...run }) => ({
      ...run,
      stages: [...run.stages],
    }));
    return [...open.reverse(), ...[...this.closed].reverse()].slice(0, Math.max(0, limit));
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
