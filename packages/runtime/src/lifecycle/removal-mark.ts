import { PolisError } from '@polis/core';
import type { RuntimeContext } from '../context.js';

/**
 * Docker's RemovalInProgress: set by `rm` before it kills, held until the record is gone, so that no
 * start, restart (by the user or by the policy), exec or pause brings the container back meanwhile.
 * In memory, as Docker's: a removal interrupted by a daemon crash is finished from the `removing` status.
 */
export function markForRemoval(ctx: RuntimeContext, id: string, reference: string): void {
  if (ctx.removals.has(id)) {
    throw new PolisError(
      'container.removal_in_progress',
      `removal of container ${reference} is already in progress`,
      {
        context: { id },
      },
    );
  }
  ctx.removals.add(id);
}

export function unmarkRemoval(ctx: RuntimeContext, id: string): void {
  ctx.removals.delete(id);
}

export function markedForRemoval(ctx: RuntimeContext, id: string): boolean {
  return ctx.removals.has(id);
}

/**
 * A 409 in Docker's words for a verb that would bring back or change a container being removed;
 * `cannot` is what follows that word (`be started`, `run exec`).
 */
export function refuseIfRemoving(ctx: RuntimeContext, id: string, cannot: string): void {
  if (!ctx.removals.has(id)) return;
  throw new PolisError(
    'container.removal_in_progress',
    `container is marked for removal and cannot ${cannot}`,
    {
      context: { id },
    },
  );
}
