import type { WaitCondition, WaitResult } from './types.js';

interface Waiter {
  condition: WaitCondition;
  resolve: (r: WaitResult) => void;
}

/** Pending `wait` calls, resolved by exits and removals. */
export class Waiters {
  private readonly byId = new Map<string, Set<Waiter>>();

  add(id: string, condition: WaitCondition, signal?: AbortSignal): Promise<WaitResult> {
    return new Promise((resolve) => {
      const waiter: Waiter = { condition, resolve };
      let set = this.byId.get(id);
      if (!set) this.byId.set(id, (set = new Set()));
      set.add(waiter);
      signal?.addEventListener('abort', () => this.drop(id, waiter), { once: true });
    });
  }

  /** The container ended: next-exit and not-running waiters are done. */
  exited(id: string, result: WaitResult): void {
    this.settle(id, result, (w) => w.condition !== 'removed');
  }

  /** The container is gone: everyone is done. */
  removed(id: string, result: WaitResult): void {
    this.settle(id, result, () => true);
  }

  private settle(id: string, result: WaitResult, which: (w: Waiter) => boolean): void {
    const set = this.byId.get(id);
    if (!set) return;
    for (const w of [...set]) {
      if (!which(w)) continue;
      set.delete(w);
      w.resolve(result);
    }
    if (set.size === 0) this.byId.delete(id);
  }

  private drop(id: string, waiter: Waiter): void {
    const set = this.byId.get(id);
    set?.delete(waiter);
    if (set && set.size === 0) this.byId.delete(id);
  }
}
