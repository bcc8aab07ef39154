import type { ContainerRecord } from '@polis/core';
import { emit, type RuntimeContext } from '../context.js';
import { launch } from './start.js';
import { markedForRemoval } from './removal-mark.js';

const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 60_000;
/** A run this long resets the back-off, as Docker. */
const RESET_AFTER_MS = 10_000;

/** Whether a container that just ended should be started again by its restart policy. */
export function shouldRestart(record: ContainerRecord, exitCode: number): boolean {
  if (record.state.stoppedByUser) return false;
  const policy = record.spec.lifecycle.restartPolicy;
  switch (policy.name) {
    case 'always':
    case 'unless-stopped':
      return true;
    case 'on-failure':
      return (
        exitCode !== 0 && (policy.maximumRetryCount <= 0 || record.restartCount < policy.maximumRetryCount)
      );
    default:
      return false;
  }
}

/** Docker's back-off: 100 ms doubling per restart, back to 100 ms after a run of 10 s, at most 1 min. */
export function nextDelay(previous: number | undefined, ranMs: number): number {
  if (previous === undefined || ranMs >= RESET_AFTER_MS) return FIRST_DELAY_MS;
  return Math.min(previous * 2, MAX_DELAY_MS);
}

/**
 * Marks the container `restarting` and starts it again after the back-off (called under its lock,
 * right after an exit was recorded). A user's stop, kill or removal cancels it.
 */
export function scheduleRestart(ctx: RuntimeContext, record: ContainerRecord, ranMs: number): void {
  // The exit an `rm -f` caused: the container is on its way out, not to be started again.
  if (markedForRemoval(ctx, record.id)) return;
  const delay = nextDelay(ctx.restarts.delays.get(record.id), ranMs);
  ctx.restarts.delays.set(record.id, delay);
  record.state.status = 'restarting';
  ctx.store.updateOrKeep(record);
  const timer = setTimeout(() => {
    ctx.restarts.timers.delete(record.id);
    void ctx.locks
      .run(record.id, async () => {
        const current = ctx.store.byId(record.id);
        if (!current || current.state.status !== 'restarting') return;
        if (markedForRemoval(ctx, current.id)) return void cancelRestart(ctx, current.id);
        current.restartCount += 1;
        ctx.store.update(current);
        try {
          await launch(ctx, current);
          emit(ctx, 'restart', current);
        } catch (err) {
          ctx.log.warn('restart by policy failed', { id: current.id, err });
          const failed = ctx.store.byId(current.id);
          if (!failed) return;
          failed.state.status = 'exited';
          ctx.store.updateOrKeep(failed);
          if (shouldRestart(failed, failed.state.exitCode || 1)) scheduleRestart(ctx, failed, 0);
        }
      })
      .catch((err) => ctx.log.error('restart by policy', { id: record.id, err }));
  }, delay);
  timer.unref();
  ctx.restarts.timers.set(record.id, timer);
}

/** Stops a pending policy restart; the container is left exited. Returns whether one was pending. */
export function cancelRestart(ctx: RuntimeContext, id: string): boolean {
  const timer = ctx.restarts.timers.get(id);
  if (timer) clearTimeout(timer);
  ctx.restarts.timers.delete(id);
  ctx.restarts.delays.delete(id);
  const record = ctx.store.byId(id);
  if (record?.state.status !== 'restarting') return timer !== undefined;
  record.state.status = 'exited';
  ctx.store.updateOrKeep(record);
  return true;
}
