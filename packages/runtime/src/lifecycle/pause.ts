import { PolisError } from '@polis/core';
import { emit, runtimeFor, type RuntimeContext } from '../context.js';
import { resolveContainer } from '../store/resolve.js';
import { refuseIfRemoving } from './removal-mark.js';

/** `pause` freezes every process of a running container (cgroup freezer). */
export async function pauseContainer(ctx: RuntimeContext, reference: string): Promise<void> {
  const id = resolveContainer(ctx.store, reference).id;
  await ctx.locks.run(id, async () => {
    const record = resolveContainer(ctx.store, id);
    if (record.state.status === 'paused') {
      throw new PolisError('container.is_paused', `Container ${id} is already paused`, { context: { id } });
    }
    if (record.state.status !== 'running') {
      throw new PolisError('container.not_running', `Container ${id} is not running`, { context: { id } });
    }
    // Frozen, it would wait out `rm -f`'s kill for nothing.
    refuseIfRemoving(ctx, id, 'be paused');
    await runtimeFor(ctx, record.runtime).pause(id);
    record.state.status = 'paused';
    ctx.store.update(record);
    emit(ctx, 'pause', record);
  });
}

export async function unpauseContainer(ctx: RuntimeContext, reference: string): Promise<void> {
  const id = resolveContainer(ctx.store, reference).id;
  await ctx.locks.run(id, async () => {
    const record = resolveContainer(ctx.store, id);
    if (record.state.status !== 'paused') {
      throw new PolisError('container.not_paused', `Container ${id} is not paused`, { context: { id } });
    }
    await runtimeFor(ctx, record.runtime).resume(id);
    record.state.status = 'running';
    ctx.store.update(record);
    emit(ctx, 'unpause', record);
  });
}
