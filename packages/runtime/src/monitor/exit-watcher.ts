import { watch, type FSWatcher } from 'node:fs';
import { readdir } from 'node:fs/promises';
import type { RuntimeContext } from '../context.js';
import { handleExit } from '../lifecycle/exit.js';

const SWEEP_MS = 2000;

/**
 * Watches conmon's exit directory (inotify through fs.watch) and handles each `<id>` file; a slow sweep
 * catches anything a watch event missed.
 */
export class ExitWatcher {
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(private readonly ctx: RuntimeContext) {}

  start(): void {
    this.watcher = watch(this.ctx.dirs.exits, (_event, filename) => {
      if (filename && /^[0-9a-f]{64}$/.test(filename)) void this.handle(filename);
    });
    this.watcher.on('error', (err) => this.ctx.log.warn('exit watcher', { err }));
    this.timer = setInterval(() => void this.sweep(), SWEEP_MS);
    this.timer.unref();
  }

  async sweep(): Promise<void> {
    const names = await readdir(this.ctx.dirs.exits).catch(() => [] as string[]);
    await Promise.all(names.filter((n) => /^[0-9a-f]{64}$/.test(n)).map((n) => this.handle(n)));
  }

  handle(id: string): Promise<void> {
    const running = this.inFlight.get(id);
    if (running) return running;
    const p = handleExit(this.ctx, id)
      .catch((err) => this.ctx.log.error('handling container exit', { id, err }))
      .finally(() => this.inFlight.delete(id));
    this.inFlight.set(id, p);
    return p;
  }

  stop(): void {
    this.watcher?.close();
    if (this.timer) clearInterval(this.timer);
  }
}
