import { PolisError, type ContainerRecord } from '@polis/core';
import type { RuntimeContext } from './context.js';
import { resolveContainer } from './store/resolve.js';
import { refuseIfRemoving } from './lifecycle/removal-mark.js';

/**
 * Runs `fn` with the container's root file system mounted on the host, under the container's lock so no
 * start, exit or removal mounts or unmounts it meanwhile. A running (or paused) container's overlay is
 * mounted already; a created or exited one's is mounted for the call and unmounted after.
 */
export async function withContainerRootfs<T>(
  ctx: RuntimeContext,
  reference: string,
  action: string,
  fn: (rootfs: string, record: ContainerRecord) => Promise<T>,
): Promise<T> {
  const id = resolveContainer(ctx.store, reference).id;
  return ctx.locks.run(id, async () => {
    const record = resolveContainer(ctx.store, id);
    refuseIfRemoving(ctx, id, action);
    if (record.state.status === 'removing' || record.state.status === 'dead') {
      throw new PolisError('container.removal_in_progress', `container ${id} is marked for removal`, {
        context: { id },
      });
    }
    const live = record.state.status === 'running' || record.state.status === 'paused';
    const layout = await ctx.images.mountRootfs(record.imageId, record.paths.dir, record.idMappings);
    try {
      return await fn(layout.target, record);
    } finally {
      if (!live) {
        await ctx.images
          .unmountRootfs(record.paths.dir)
          .catch((err) => ctx.log.warn('unmounting rootfs after copy', { id, err }));
      }
    }
  });
}
