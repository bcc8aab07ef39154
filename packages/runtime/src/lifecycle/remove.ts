import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PolisError, isNoSpace, logFailure } from '@polis/core';
import { emit, runtimeFor, type RuntimeContext } from '../context.js';
import { resolveContainer } from '../store/resolve.js';
import type { RemoveOptions } from '../types.js';
import { killAndWait } from './stop.js';
import { cancelRestart } from './restart-policy.js';
import { runAttachHooks } from '../attach/attach.js';
import { markForRemoval, unmarkRemoval } from './removal-mark.js';
import { removeAnonymousVolumes } from '../volumes/ensure.js';

/** How often `rm -f` kills again a container a start already under way brought back before giving up. */
const KILL_ATTEMPTS = 3;

/**
 * `rm`: a running container is a 409 unless forced; forced, it is killed first. The container is
 * marked for removal before anything else, and the decision (refuse, kill, or remove) is taken under
 * its lock after every kill, so no start, restart or policy restart can slip in between the kill and
 * the removal and leave the container running.
 */
export async function removeContainer(
  ctx: RuntimeContext,
  reference: string,
  options: RemoveOptions = {},
): Promise<void> {
  const id = resolveContainer(ctx.store, reference).id;
  markForRemoval(ctx, id, reference);
  try {
    for (let attempt = 1; ; attempt++) {
      const live = await ctx.locks.run(id, () => removeUnlessLive(ctx, id, options));
      if (!live) return;
      if (attempt > KILL_ATTEMPTS) {
        throw new PolisError('runtime.failed', `container ${id} kept running; cannot remove it`, {
          context: { id },
        });
      }
      try {
        await killAndWait(ctx, id);
      } catch (err) {
        // Gone meanwhile (its `--rm` removed it once it died): what was asked is done.
        if (!ctx.store.byId(id)) return;
        throw err;
      }
    }
  } finally {
    unmarkRemoval(ctx, id);
  }
}

/** Under the lock: refuses a live container unless forced, removes a stopped one. Returns whether it is live. */
async function removeUnlessLive(ctx: RuntimeContext, id: string, options: RemoveOptions): Promise<boolean> {
  const force = options.force === true;
  const record = ctx.store.byId(id);
  if (!record) return false;
  const status = record.state.status;
  if (status === 'restarting' || status === 'running' || status === 'paused') {
    if (!force) {
      throw new PolisError(
        'container.is_running',
        `You cannot remove a ${status} container ${id}. Stop the container before attempting removal or force remove`,
        { context: { id } },
      );
    }
    if (status !== 'restarting') return true;
    cancelRestart(ctx, id);
  }
  await removeLocked(ctx, id, options.volumes === true);
  return false;
}

/**
 * Removes a stopped container's runtime state, mount, files and record (caller holds the lock); with
 * `volumes` (`rm -v`, `--rm`), its anonymous volumes too. Named volumes always stay.
 */
export async function removeLocked(ctx: RuntimeContext, id: string, volumes = false): Promise<void> {
  const record = ctx.store.byId(id);
  if (!record) return;
  if (record.state.status === 'running' || record.state.status === 'paused') {
    throw new PolisError('container.is_running', `container ${id} is running`, { context: { id } });
  }
  const tracer = ctx.trace;
  let t = tracer?.now() ?? 0;
  record.state.status = 'removing';
  try {
    ctx.store.update(record);
  } catch (err) {
    // The mark only helps recovery finish a removal; on a full disk the removal is what frees space.
    if (!isNoSpace(err)) throw err;
  }
  // The log rotator still watches a container that just died (to drain conmon's last lines) and
  // stages files in its folder: it lets go before the folder is deleted.
  ctx.logRotator?.forget(id);
  const runtime = runtimeFor(ctx, record.runtime);
  await Promise.all([
    runtime.hasState(id)
      ? runtime.delete(id, true).catch(logFailure(ctx.log, 'deleting the runtime state', { id }))
      : undefined,
    ctx.images.unmountRootfs(record.paths.dir),
    rm(join(ctx.dirs.sockets, id), { force: true }),
  ]);
  if (tracer) t = tracer.mark(id, 'remove: runtime state and rootfs', t);
  await rm(record.paths.dir, { recursive: true, force: true });
  if (tracer) t = tracer.mark(id, 'remove: container directory', t);
  await ctx.networks?.forget(id).catch((err: unknown) => {
    // A full disk refuses the endpoint rows' deletion; recovery at the next boot releases what a
    // container that is gone left (veths, ports, leases), so the removal goes on and frees space.
    if (!isNoSpace(err)) throw err;
    ctx.log.warn('network state of a removed container kept until the next start', { id, err });
  });
  ctx.store.delete(id);
  if (volumes) await removeAnonymousVolumes(ctx, record);
  await runAttachHooks(ctx, id, false);
  emit(ctx, 'destroy', record);
  ctx.waiters.removed(id, { StatusCode: record.state.exitCode });
  if (tracer) {
    tracer.mark(id, 'remove: record, endpoints, waiters', t);
    tracer.end(id);
  }
}
