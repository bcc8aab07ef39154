import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerRecord } from '@polis/core';
import { bundleDir, runtimeFor, settleCleanups, type RuntimeContext } from '../context.js';
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
 * container's network attach waits for the network part of the cleanups under way (ports, static
 * addresses and DNS names are free when it wires), the API waits for them whole before any volume,
 * image or disk-usage request and for their network part before a network request
 * (`settleCleanups`), and the daemon before it closes. A step that fails (an unmount refused) leaves
 * what depends on it, the directory above all, and the cleanup is tried again after 1 s, then after
 * twice as long each time up to a minute, and at the next start (`finishRetired`): every step is
 * idempotent. A failed cleanup no longer holds the waits of others.
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

const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 60_000;

interface CleanupOptions {
  /**
   * A cleanup finished after a crash, or tried again: the container's volumes are released here too
   * (at a plain exit that was done before the answer).
   */
  resumed?: boolean;
  attempt?: number;
}

/** Lets go of what a retired container held, tracked until done (see `settleCleanups`). */
export function cleanUpLater(
  ctx: RuntimeContext,
  record: ContainerRecord,
  volumes: boolean,
  options: CleanupOptions = {},
): void {
  const id = record.id;
  let networkDone: () => void = () => undefined;
  const network = new Promise<void>((resolve) => (networkDone = resolve));
  const entry = { network, done: Promise.resolve() };
  entry.done = (async () => {
    // Begun on the next turn of the event loop: the answers just settled are written first.
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      await cleanUp(ctx, record, volumes, options.resumed === true, networkDone);
    } catch (err) {
      const attempt = (options.attempt ?? 0) + 1;
      const inMs = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (attempt - 1));
      ctx.log.warn('cleaning up a removed container failed; it is tried again', { id, err, attempt, inMs });
      const timer = setTimeout(() => {
        ctx.cleanupRetries.delete(id);
        cleanUpLater(ctx, record, volumes, { resumed: true, attempt });
      }, inMs);
      timer.unref();
      ctx.cleanupRetries.set(id, timer);
    } finally {
      networkDone();
      if (ctx.cleanups.get(id) === entry) ctx.cleanups.delete(id);
    }
  })();
  ctx.cleanups.set(id, entry);
}

/** At start: finishes the cleanups of containers retired before a crash. */
export async function finishRetired(ctx: RuntimeContext): Promise<void> {
  for (const record of ctx.store.retired()) {
    ctx.log.info('finishing the cleanup of a removed container', { id: record.id });
    cleanUpLater(ctx, record, record.spec.lifecycle.autoRemove, { resumed: true });
  }
  await settleCleanups(ctx);
}

async function cleanUp(
  ctx: RuntimeContext,
  record: ContainerRecord,
  volumes: boolean,
  resumed: boolean,
  networkDone: () => void,
): Promise<void> {
  const id = record.id;
  const tracer = ctx.trace;
  const timed = <T>(stage: string, work: () => Promise<T>): Promise<T> =>
    tracer ? tracer.step(id, stage, work) : work();
  // The log rotator still watches a container that just died (to drain conmon's last lines) and
  // stages files in its folder: it lets go before the folder is deleted.
  ctx.logRotator?.forget(id);
  const runtime = runtimeFor(ctx, record.runtime);
  const [, network, unmounted] = await Promise.allSettled([
    timed('cleanup: runtime delete', async () => {
      if (runtime.hasState(id))
        await runtime
          .delete(id, true)
          .catch((err) => ctx.log.warn('deleting the runtime state', { id, err }));
    }),
    // Ports, leases, DNS names, the netns and veths, then the endpoint rows: all a new container or a
    // network request could meet.
    timed('cleanup: network detach', async () => {
      try {
        await ctx.networks?.forget(id);
      } finally {
        networkDone();
      }
    }),
    timed('cleanup: rootfs unmount', () => ctx.images.unmountRootfs(record.paths.dir)),
    rm(join(ctx.dirs.sockets, id), { force: true }),
  ]);
  // Never delete the directory through a mount still in place.
  if (unmounted.status === 'rejected') throw unmounted.reason;
  const t = tracer?.now() ?? 0;
  await rm(bundleDir(ctx, id), { recursive: true, force: true });
  if (resumed) await releaseVolumes(ctx, record);
  await rm(record.paths.dir, { recursive: true, force: true });
  if (volumes) await removeAnonymousVolumes(ctx, record);
  if (network.status === 'rejected') throw network.reason;
  ctx.store.cleaned(id);
  if (tracer) {
    tracer.mark(id, 'cleanup: directories, endpoints, volumes', t);
    tracer.end(id);
  }
}
