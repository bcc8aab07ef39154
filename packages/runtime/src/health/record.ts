import type { HealthProbeResult, ContainerHealthStatus } from '@polis/core';
import { emit, type RuntimeContext } from '../context.js';
import { nextHealth } from './next.js';

/**
 * Records one probe of a running container's health check under its lock (so a concurrent stop or
 * update does not write an older copy over it) and emits `health_status: …` when the status changes.
 * Returns the new status, or undefined when the container no longer runs with a check.
 */
export async function recordHealth(
  ctx: RuntimeContext,
  id: string,
  result: HealthProbeResult,
): Promise<ContainerHealthStatus | undefined> {
  return ctx.locks.run(id, async () => {
    const record = ctx.store.byId(id);
    const config = record?.spec.health;
    const state = record?.state.health;
    if (!record || !config || !state || record.state.status !== 'running') return undefined;
    const next = nextHealth(state, result, config, record.state.startedAt);
    record.state.health = next;
    // A full data root keeps the result in memory (the record is saved with the next change).
    ctx.store.updateOrKeep(record);
    if (next.status !== state.status) emit(ctx, `health_status: ${next.status}`, record);
    return next.status;
  });
}
