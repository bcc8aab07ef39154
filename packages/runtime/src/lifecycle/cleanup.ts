import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerRecord } from '@polis/core';
import { bundleDir, runtimeFor, settleCleanups, type RuntimeContext } from '../context.js';
import { detachNetworks } from '../network/wire.js';
import { releaseVolumes } from '../volumes/binds.js';
import { removeAnonymousVolumes } from '../volumes/ensure.js';

/**
 * Removal after the answer. A `--rm` container that exits is *retired*: in one transaction its record
 * leaves the containers table (its name is free, no reader sees it) and is kept as a cleanup still to
 * do, and its waiters are answered. What it held on the host (the runtime's state, the rootfs mount,
 * the netns and veths, published ports and leases, its directories, anonymous volumes) is let go
 * right after, off the answer's path: ~40 ms of `crun delete`, unmounts and `ip` on this machine.
 *
 * Nothing can use what a retired container still holds: its id is unknown to every verb, a new
 * container's network attach waits for pending cleanups (ports, static addresses and DNS names are
 * free when it wires), the API waits for them before any volume, network or image request
 * (`settleCleanups`), and the daemon before it closes. A cleanup a crash cut short is finished at the
 * next start (`finishRetired`): every step is idempotent. A step that fails (an unmount refused) leaves
 * the rest, the directory above all, to that retry.
 */
export function retire(ctx: RuntimeContext, record: ContainerRecord): boolean {
  try {
    ctx.store.retire(record);
    return true;
  } catch (err) {
    // A full data root: the caller removes the container before it answers, as before.
    ctx.log.warn('removing a container before the answer: it could not be retired', { id: record.id, err });
    return false;
  }
}

/** Lets go of what a retired container held, tracked until done (see `settleCleanups`). */
export function cleanUpLater(ctx: RuntimeContext, record: ContainerRecord, volumes: boolean): void {
  // Begun on the next turn of the event loop: the answers just settled are written first.
  const work = new Promise<void>((resolve) => setImmediate(resolve))
    .then(() => cleanUp(ctx, record, volumes))
    .catch((err: unknown) =>
      ctx.log.warn('cleaning up a removed container (finished at the next start)', { id: record.id, err }),
    )
    .finally(() => {
      if (ctx.cleanups.get(record.id) === work) ctx.cleanups.delete(record.id);
    });
  ctx.cleanups.set(record.id, work);
}

/** At start: finishes the cleanups of containers retired before a crash. */
export async function finishRetired(ctx: RuntimeContext): Promise<void> {
  for (const record of ctx.store.retired()) {
    ctx.log.info('finishing the cleanup of a removed container', { id: record.id });
    cleanUpLater(ctx, record, record.spec.lifecycle.autoRemove);
  }
  await settleCleanups(ctx);
}

async function cleanUp(ctx: RuntimeContext, record: ContainerRecord, volumes: boolean): Promise<void> {
  const id = record.id;
  const tracer = ctx.trace;
  const timed = <T>(stage: string, work: () => Promise<T>): Promise<T> =>
    tracer ? tracer.step(id, stage, work) : work();
  // The log rotator still watches a container that just died (to drain conmon's last lines) and
  // stages files in its folder: it lets go before the folder is deleted.
  ctx.logRotator?.forget(id);
  const runtime = runtimeFor(ctx, record.runtime);
  const [, , unmounted] = await Promise.allSettled([
    timed('cleanup: runtime delete', async () => {
      if (runtime.hasState(id))
        await runtime
          .delete(id, true)
          .catch((err) => ctx.log.warn('deleting the runtime state', { id, err }));
    }),
    timed('cleanup: network detach', () => detachNetworks(ctx, id)),
    timed('cleanup: rootfs unmount', () => ctx.images.unmountRootfs(record.paths.dir)),
    rm(join(ctx.dirs.sockets, id), { force: true }),
  ]);
  // Never delete the directory through a mount still in place.
  if (unmounted.status === 'rejected') throw unmounted.reason;
  const t = tracer?.now() ?? 0;
  await rm(bundleDir(ctx, id), { recursive: true, force: true });
  // Released at the exit already; again for a cleanup finished after a crash (idempotent).
  await releaseVolumes(ctx, record);
  await rm(record.paths.dir, { recursive: true, force: true });
  await ctx.networks?.forget(id);
  if (volumes) await removeAnonymousVolumes(ctx, record);
  ctx.store.cleaned(id);
  if (tracer) {
    tracer.mark(id, 'cleanup: directories, endpoints, volumes', t);
    tracer.end(id);
  }
}
