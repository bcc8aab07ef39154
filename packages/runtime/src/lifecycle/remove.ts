import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PolisError, logFailure } from '@polis/core';
import { emit, runtimeFor, type RuntimeContext } from '../context.js';
import { resolveContainer } from '../store/resolve.js';
import type { RemoveOptions } from '../types.js';
import { killAndWait } from './stop.js';
import { cancelRestart } from './restart-policy.js';
import { runAttachHooks } from '../attach/attach.js';

/** `rm`: a running container is a 409 unless forced; forced, it is killed first. */
export async function removeContainer(
  ctx: RuntimeContext,
  reference: string,
  options: RemoveOptions = {},
): Promise<void> {
  const record = resolveContainer(ctx.store, reference);
  if (record.state.status === 'restarting') {
    if (!options.force) {
      throw new PolisError(
        'container.is_running',
        `You cannot remove a restarting container ${record.id}. Stop the container before attempting removal or force remove`,
        { context: { id: record.id } },
      );
    }
    await ctx.locks.run(record.id, async () => void cancelRestart(ctx, record.id));
  }
  const live = record.state.status === 'running' || record.state.status === 'paused';
  if (live && !options.force) {
    const what = record.state.status === 'paused' ? 'paused' : 'running';
    throw new PolisError(
      'container.is_running',
      `You cannot remove a ${what} container ${record.id}. Stop the container before attempting removal or force remove`,
      { context: { id: record.id } },
    );
  }
  if (live) await killAndWait(ctx, record.id);
  await ctx.locks.run(record.id, () => removeLocked(ctx, record.id));
}

/** Removes a stopped container's runtime state, mount, files and record (caller holds the lock). */
export async function removeLocked(ctx: RuntimeContext, id: string): Promise<void> {
  const record = ctx.store.byId(id);
  if (!record) return;
  if (record.state.status === 'running' || record.state.status === 'paused') {
    throw new PolisError('container.is_running', `container ${id} is running`, { context: { id } });
  }
  record.state.status = 'removing';
  ctx.store.update(record);
  const runtime = runtimeFor(ctx, record.runtime);
  await Promise.all([
    runtime.hasState(id)
      ? runtime.delete(id, true).catch(logFailure(ctx.log, 'deleting the runtime state', { id }))
      : undefined,
    ctx.images.unmountRootfs(record.paths.dir),
    rm(join(ctx.dirs.sockets, id), { force: true }),
  ]);
  await rm(record.paths.dir, { recursive: true, force: true });
  await ctx.networks?.forget(id);
  ctx.store.delete(id);
  await runAttachHooks(ctx, id, false);
  emit(ctx, 'destroy', record);
  ctx.waiters.removed(id, { StatusCode: record.state.exitCode });
}
