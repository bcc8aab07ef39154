import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { FsChange } from '@polis/image';
import type { RuntimeContext } from '../context.js';
import { resolveContainer } from '../store/resolve.js';
import { withRootfs } from './rootfs-mount.js';

/** `docker diff`: read from the upper dir, which exists (maybe empty) whether or not it is mounted. */
export function containerChanges(ctx: RuntimeContext, reference: string): Promise<FsChange[]> {
  const record = resolveContainer(ctx.store, reference);
  return ctx.images.containerChanges(record.imageId, join(record.paths.dir, 'upper'));
}

/**
 * `docker export`: resolves with the tar stream once it flows; a stopped container's root stays
 * mounted until the stream has ended (or failed), then is unmounted.
 */
export function exportContainer(ctx: RuntimeContext, reference: string): Promise<Readable> {
  return new Promise<Readable>((resolve, reject) => {
    withRootfs(ctx, reference, async (target, record) => {
      const tar = await ctx.images.exportRootfs(target, record.idMappings);
      resolve(tar.stream);
      await tar.done.catch(() => undefined);
    }).catch(reject);
  });
}
