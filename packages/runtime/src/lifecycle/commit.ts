import { join } from 'node:path';
import type { ImageRecord, ImageRunConfig } from '@polis/core';
import { emit, type RuntimeContext } from '../context.js';
import { resolveContainer } from '../store/resolve.js';
import { pauseContainer, unpauseContainer } from './pause.js';
import { refuseIfRemoving } from './removal-mark.js';

export interface CommitOptions {
  /** The container's config as inspect shows it (Env, Cmd, …), the new image's starting point. */
  runConfig: ImageRunConfig;
  /** Dockerfile instructions (`--change`). */
  changes?: string[];
  comment?: string;
  author?: string;
  /** `repo[:tag]`. */
  reference?: string;
  /** Freeze a running container while its changes are archived (Docker's default: true). */
  pause?: boolean;
}

/**
 * `docker commit`: a running container is paused while its upper dir is archived, so the layer is
 * one consistent moment of it, and resumed after whatever happened.
 */
export async function commitContainer(
  ctx: RuntimeContext,
  reference: string,
  options: CommitOptions,
): Promise<ImageRecord> {
  const record = resolveContainer(ctx.store, reference);
  refuseIfRemoving(ctx, record.id, 'be committed');
  const pause = options.pause !== false && record.state.status === 'running';
  if (pause) await pauseContainer(ctx, record.id);
  try {
    // Docker's history shows the container's Cmd as what created the layer.
    const cmd = options.runConfig.Cmd ?? [];
    const image = await ctx.images.commitContainer({
      imageId: record.imageId,
      upperDir: join(record.paths.dir, 'upper'),
      ...(record.idMappings ? { idMappings: record.idMappings } : {}),
      runConfig: options.runConfig,
      ...(options.changes ? { changes: options.changes } : {}),
      ...(options.comment !== undefined ? { comment: options.comment } : {}),
      ...(options.author !== undefined ? { author: options.author } : {}),
      ...(options.reference !== undefined ? { reference: options.reference } : {}),
      ...(cmd.length > 0 ? { createdBy: cmd.join(' ') } : {}),
    });
    // Docker's event: the container's `commit`, naming the new image's id.
    emit(ctx, 'commit', record, { comment: options.comment ?? '', imageID: image.id });
    return image;
  } finally {
    if (pause) {
      await unpauseContainer(ctx, record.id).catch((err: unknown) =>
        ctx.log.warn('cannot unpause after commit', { id: record.id, error: String(err) }),
      );
    }
  }
}
