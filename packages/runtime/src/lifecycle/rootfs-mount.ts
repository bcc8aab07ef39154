import type { ContainerRecord } from '@polis/core';
import type { RuntimeContext } from '../context.js';
import { resolveContainer } from '../store/resolve.js';
import { refuseIfRemoving } from './removal-mark.js';

const isLive = (record: ContainerRecord): boolean =>
  record.state.status === 'running' || record.state.status === 'paused';

/**
 * Runs `fn` with the container's merged root mounted at `record.paths.rootfs`. A running or paused
 * container has it mounted already; a stopped one gets it mounted for `fn` and unmounted after, under
 * the container's lock, so a start cannot begin on a root that is about to be unmounted under it.
 */
export async function withRootfs<T>(
  ctx: RuntimeContext,
  reference: string,
  fn: (target: string, record: ContainerRecord) => Promise<T>,
): Promise<T> {
  const id = resolveContainer(ctx.store, reference).id;
  let live: ContainerRecord | undefined;
  const result = await ctx.locks.run(id, async (): Promise<{ value: T } | undefined> => {
    const record = resolveContainer(ctx.store, id);
    refuseIfRemoving(ctx, id, 'be read');
    if (isLive(record)) {
      live = record;
      return undefined;
    }
    const layout = await ctx.images.mountRootfs(record.imageId, record.paths.dir, record.idMappings);
    try {
      return { value: await fn(layout.target, record) };
    } finally {
      await ctx.images.unmountRootfs(record.paths.dir);
    }
  });
  if (result !== undefined) return result.value;
  // Outside the lock: reading a live container must not hold up its stop or kill. If it exits
  // meanwhile its root is unmounted lazily and the reader keeps its view to the end.
  const record = live as ContainerRecord;
  return fn(record.paths.rootfs, record);
}
