import type { RuntimeContext } from '../context.js';
import { recordLostSupervisor } from './supervisor-lost.js';

const CHECK_MS = 1000;

/**
 * Notices a conmon that died while polisd runs (killed, crashed, or unable to write on a full disk):
 * Node 20 has no pidfd, so once a second it reads /proc/PID/stat of the conmons in the small index of
 * live containers (one read each; start times guard against pid reuse).
 */
export class SupervisorWatch {
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(private readonly ctx: RuntimeContext) {}

  start(): void {
    this.timer = setInterval(() => this.check(), CHECK_MS);
    this.timer.unref();
  }

  check(): void {
    for (const id of this.ctx.supervised.lost()) void this.handle(id);
  }

  handle(id: string): Promise<void> {
    const running = this.inFlight.get(id);
    if (running) return running;
    const p = recordLostSupervisor(this.ctx, id)
      .catch((err) => this.ctx.log.error('handling a lost container supervisor', { id, err }))
      .finally(() => this.inFlight.delete(id));
    this.inFlight.set(id, p);
    return p;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
