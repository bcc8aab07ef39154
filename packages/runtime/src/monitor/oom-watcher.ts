import { emit, type RuntimeContext } from '../context.js';
import { OomCounts } from '../host/cgroup-oom.js';
import { containerCgroupDirs } from '../host/container-cgroup.js';
import type { CgroupDirs } from '../host/cgroup-paths.js';

const CHECK_MS = 1000;

/**
 * Emits `oom` when the kernel's OOM killer kills a process of a running container whose first
 * process survives (the exit reports the kills of a container that ends). Once a second it reads one
 * file per live container (memory.oom_control or memory.events), walking the small supervised index.
 */
export class OomWatcher {
  private timer: NodeJS.Timeout | undefined;
  private readonly dirs = new Map<string, CgroupDirs>();
  private running = false;
  private readonly startedAt = Date.now();
  private readonly counts = new OomCounts();

  constructor(private readonly ctx: RuntimeContext) {
    ctx.oomSeen ??= new Map();
  }

  start(): void {
    this.timer = setInterval(() => void this.check(), CHECK_MS);
    this.timer.unref();
  }

  async check(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const ids = new Set(this.ctx.supervised.ids());
      for (const id of this.dirs.keys()) if (!ids.has(id)) this.dirs.delete(id);
      for (const id of this.counts.ids()) if (!ids.has(id)) this.counts.drop(id);
      for (const id of ids) this.checkOne(id);
    } finally {
      this.running = false;
    }
  }

  /** Copies the record only when it must (first sight, an OOM kill): this runs for every container each second. */
  private checkOne(id: string): void {
    if (this.ctx.store.statusOf(id) === undefined) return;
    let dirs = this.dirs.get(id);
    if (!dirs) {
      const record = this.ctx.store.byId(id);
      if (!record) return;
      dirs = containerCgroupDirs(this.ctx, record);
      this.dirs.set(id, dirs);
    }
    const count = this.counts.count(id, dirs);
    const seen = this.ctx.oomSeen as Map<string, number>;
    if (!seen.has(id)) {
      // A container adopted at polisd's start: its earlier kills were reported by the daemon before.
      const record = this.ctx.store.byId(id);
      if (record && Date.parse(record.state.startedAt) < this.startedAt) {
        seen.set(id, count);
        return;
      }
    }
    if (count > (seen.get(id) ?? 0)) {
      seen.set(id, count);
      const record = this.ctx.store.byId(id);
      // The exit may have been handled meanwhile (it reports what was not seen here).
      if (record && this.ctx.supervised.has(id)) emit(this.ctx, 'oom', record);
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
