import { readSample } from './sample.js';
import type { StatsSample } from './types.js';

/** What a subscriber gets each interval: the new reading and the one before it (for rates). */
export type StatsListener = (sample: StatsSample | undefined, previous: StatsSample | undefined) => void;

export interface StatsSamplerOptions {
  /** The pid of the container's first process while it runs, else undefined. */
  pidOf: (id: string) => number | undefined;
  intervalMs?: number;
  read?: (pid: number) => StatsSample | undefined;
}

interface Watched {
  listeners: Set<StatsListener>;
  last?: StatsSample;
  previous?: StatsSample;
}

/**
 * One sampler for every client: each watched container is read once per interval, however many
 * streams ask for it, and only while someone does. Readings are files (sample.ts), never processes.
 */
export class StatsSampler {
  private readonly watched = new Map<string, Watched>();
  private timer: NodeJS.Timeout | undefined;
  private readonly intervalMs: number;
  private readonly read: (pid: number) => StatsSample | undefined;
  private readonly pidOf: (id: string) => number | undefined;
  /** Ticks run and when the last one ended, for the monitor's own health. */
  ticks = 0;
  lastTickAt = 0;

  constructor(options: StatsSamplerOptions) {
    this.pidOf = options.pidOf;
    this.intervalMs = options.intervalMs ?? 1000;
    this.read = options.read ?? ((pid) => readSample(pid));
  }

  /** One reading now, outside the schedule (`one-shot`). */
  readNow(id: string): StatsSample | undefined {
    const pid = this.pidOf(id);
    return pid === undefined ? undefined : this.read(pid);
  }

  /**
   * Calls LISTENER at once (with the latest reading) and then every interval until the returned
   * function is called.
   */
  subscribe(id: string, listener: StatsListener): () => void {
    let w = this.watched.get(id);
    if (w === undefined) {
      w = { listeners: new Set() };
      const first = this.readNow(id);
      if (first !== undefined) w.last = first;
      this.watched.set(id, w);
    }
    w.listeners.add(listener);
    this.ensureTimer();
    listener(w.last, w.previous);
    const watched = w;
    return () => {
      watched.listeners.delete(listener);
      if (watched.listeners.size === 0 && this.watched.get(id) === watched) this.watched.delete(id);
      if (this.watched.size === 0) this.stopTimer();
    };
  }

  /** Containers being sampled now. */
  get size(): number {
    return this.watched.size;
  }

  close(): void {
    this.stopTimer();
    this.watched.clear();
  }

  private ensureTimer(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  private stopTimer(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    for (const [id, w] of this.watched) {
      const sample = this.readNow(id);
      if (sample === undefined) {
        delete w.last;
        delete w.previous;
      } else {
        if (w.last !== undefined) w.previous = w.last;
        w.last = sample;
      }
      for (const l of [...w.listeners]) l(w.last, w.previous);
    }
    this.ticks++;
    this.lastTickAt = Date.now();
  }
}
