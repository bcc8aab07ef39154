import { OpenFiles, plainReader, type FileReader } from './files.js';
import { readHostCpu, type HostCpu } from './host.js';
import { planSample, readPlanned, type SamplePlan } from './sample.js';
import type { StatsSample } from './types.js';

/** What a subscriber gets each interval: the new reading and the one before it (for rates). */
export type StatsListener = (sample: StatsSample | undefined, previous: StatsSample | undefined) => void;

export interface StatsSamplerOptions {
  /** The pid of the container's first process while it runs, else undefined. */
  pidOf: (id: string) => number | undefined;
  intervalMs?: number;
  /** Reads one container (tests give a fake); the host's CPU time is read once per interval. */
  read?: (pid: number, reader: FileReader, host: HostCpu | undefined) => StatsSample | undefined;
}

interface Watched {
  listeners: Set<StatsListener>;
  /** The container's files, kept open while it is watched. */
  files: OpenFiles;
  /** Where its files are, for the pid it was worked out for. */
  plan?: SamplePlan;
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
  private readonly read: StatsSamplerOptions['read'];
  private readonly hostFiles = new OpenFiles();
  private readonly pidOf: (id: string) => number | undefined;
  /** Ticks run and when the last one ended, for the monitor's own health. */
  ticks = 0;
  lastTickAt = 0;

  constructor(options: StatsSamplerOptions) {
    this.pidOf = options.pidOf;
    this.intervalMs = options.intervalMs ?? 1000;
    this.read = options.read;
  }

  /** One reading now, outside the schedule (`one-shot`). */
  readNow(id: string): StatsSample | undefined {
    const pid = this.pidOf(id);
    if (pid === undefined) return undefined;
    if (this.read) return this.read(pid, plainReader, undefined);
    const plan = planSample(pid);
    return plan === undefined ? undefined : readPlanned(plan, plainReader, undefined);
  }

  private readWatched(id: string, w: Watched, host: HostCpu | undefined): StatsSample | undefined {
    const pid = this.pidOf(id);
    if (pid === undefined) return undefined;
    const hostCpu = host ?? readHostCpu(this.hostFiles);
    if (this.read) return this.read(pid, w.files, hostCpu);
    if (w.plan?.pid !== pid) {
      // A new process (a restart): its files are elsewhere, the old ones are closed.
      w.files.close();
      w.plan = planSample(pid);
    }
    if (w.plan === undefined) return undefined;
    const sample = readPlanned(w.plan, w.files, hostCpu);
    if (sample === undefined) delete w.plan;
    return sample;
  }

  /**
   * Calls LISTENER at once (with the latest reading) and then every interval until the returned
   * function is called.
   */
  subscribe(id: string, listener: StatsListener): () => void {
    let w = this.watched.get(id);
    if (w === undefined) {
      w = { listeners: new Set(), files: new OpenFiles() };
      const first = this.readWatched(id, w, undefined);
      if (first !== undefined) w.last = first;
      this.watched.set(id, w);
    }
    w.listeners.add(listener);
    this.ensureTimer();
    listener(w.last, w.previous);
    const watched = w;
    return () => {
      watched.listeners.delete(listener);
      if (watched.listeners.size === 0 && this.watched.get(id) === watched) {
        this.watched.delete(id);
        watched.files.close();
      }
      if (this.watched.size === 0) this.stopTimer();
    };
  }

  /** Containers being sampled now. */
  get size(): number {
    return this.watched.size;
  }

  close(): void {
    this.stopTimer();
    for (const w of this.watched.values()) w.files.close();
    this.watched.clear();
    this.hostFiles.close();
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
    const host = readHostCpu(this.hostFiles);
    for (const [id, w] of this.watched) {
      const sample = this.readWatched(id, w, host);
      if (sample === undefined) {
        delete w.last;
        delete w.previous;
        // Its cgroup and process are gone: a restart makes new ones.
        w.files.close();
        delete w.plan;
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
