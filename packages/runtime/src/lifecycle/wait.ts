import { type RuntimeContext } from '../context.js';
import { resolveContainer } from '../store/resolve.js';
import type { WaitCondition, WaitResult } from '../types.js';

/**
 * `wait`: not-running returns at once for a container that is not running; next-exit waits for the
 * next end of a run; removed waits until the container is gone.
 */
export function waitContainer(
  ctx: RuntimeContext,
  reference: string,
  condition: WaitCondition,
  signal?: AbortSignal,
): Promise<WaitResult> {
  const record = resolveContainer(ctx.store, reference);
  const live = ['running', 'paused', 'restarting'].includes(record.state.status);
  if (condition === 'not-running' && !live) {
    return Promise.resolve({ StatusCode: record.state.exitCode });
  }
  return ctx.waiters.add(record.id, condition, signal);
}
