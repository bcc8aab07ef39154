import { PolisError, type ContainerRecord, type ResourceSpec, type Resources, type Spec } from '@polis/core';
import { resourcesStep } from '@polis/security';
import { emit, type RuntimeContext } from '../context.js';
import { cgroupDirsOf } from '../host/cgroup-paths.js';
import { writeResources } from '../host/cgroup-write.js';
import type { UpdateOptions } from '../types.js';
import { refuseIfRemoving } from './removal-mark.js';

/** The limits `update` may change (Docker's UpdateContainer). */
export type ResourceUpdate = Pick<
  ResourceSpec,
  | 'memory'
  | 'memorySwap'
  | 'memoryReservation'
  | 'nanoCpus'
  | 'cpuShares'
  | 'cpuPeriod'
  | 'cpuQuota'
  | 'cpusetCpus'
  | 'cpusetMems'
  | 'pidsLimit'
  | 'blkioWeight'
>;

const conflict = (message: string): PolisError => new PolisError('request.conflict', message);

/** Docker's update conflicts: `--cpus` and a quota or period exclude each other, as at create. */
export function checkConflicts(current: ResourceSpec, change: ResourceUpdate): void {
  if (change.nanoCpus && current.cpuPeriod)
    throw conflict('Conflicting options: Nano CPUs cannot be updated as CPU Period has already been set');
  if (change.nanoCpus && current.cpuQuota)
    throw conflict('Conflicting options: Nano CPUs cannot be updated as CPU Quota has already been set');
  if (change.cpuPeriod && current.nanoCpus)
    throw conflict('Conflicting options: CPU Period cannot be updated as NanoCPUs has already been set');
  if (change.cpuQuota && current.nanoCpus)
    throw conflict('Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set');
  // A swap limit the user set stays; a memory limit above it needs a new one.
  if (change.memory && change.memorySwap === undefined && (current.memorySwap ?? 0) > 0) {
    if (change.memory > (current.memorySwap as number)) {
      throw conflict(
        'Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time',
      );
    }
  }
}

/** The record's limits with the change applied (-1 lifts a pids or swap limit). */
export function mergeResources(current: ResourceSpec, change: ResourceUpdate): ResourceSpec {
  const next: ResourceSpec = { ...current };
  for (const [key, value] of Object.entries(change) as [keyof ResourceUpdate, unknown][]) {
    if (value === undefined) continue;
    (next as unknown as Record<string, unknown>)[key] = value;
  }
  if (next.pidsLimit !== undefined && next.pidsLimit <= 0) delete next.pidsLimit;
  return next;
}

/** The OCI resources to write for a change: the changed groups of the merged limits, lifts made explicit. */
export function resourcesToWrite(merged: ResourceSpec, change: ResourceUpdate): Resources {
  // Runs Docker's checks of the whole (memory against swap and reservation, cpus against quota, ranges).
  const spec = resourcesStep(merged)({ ociVersion: '1.0.2' } as Spec);
  const all = spec.linux?.resources ?? {};
  const out: Resources = {};
  if (
    change.memory !== undefined ||
    change.memorySwap !== undefined ||
    change.memoryReservation !== undefined
  ) {
    out.memory = { ...all.memory };
    if (change.memorySwap === -1) out.memory.swap = -1;
  }
  const cpuKeys = ['nanoCpus', 'cpuShares', 'cpuPeriod', 'cpuQuota', 'cpusetCpus', 'cpusetMems'] as const;
  if (cpuKeys.some((k) => change[k] !== undefined)) out.cpu = { ...all.cpu };
  if (change.pidsLimit !== undefined) out.pids = { limit: merged.pidsLimit ?? -1 };
  if (change.blkioWeight !== undefined && all.blockIO?.weight !== undefined)
    out.blockIO = { weight: all.blockIO.weight };
  return out;
}

/**
 * `update`: the restart policy and the limits. A running (or paused) container's cgroup files are
 * written now; every change is kept in the record for the next start. A change that the kernel
 * refuses is not recorded.
 */
export async function updateContainer(
  ctx: RuntimeContext,
  id: string,
  changes: UpdateOptions,
): Promise<void> {
  await ctx.locks.run(id, async () => {
    refuseIfRemoving(ctx, id, 'be updated');
    const record = ctx.store.byId(id) as ContainerRecord;
    const next = structuredClone(record);
    if (changes.restartPolicy) {
      if (record.spec.lifecycle.autoRemove && changes.restartPolicy.name !== 'no') {
        throw new PolisError(
          'container.is_running',
          'Restart policy cannot be updated because AutoRemove is enabled for the container',
        );
      }
      next.spec.lifecycle.restartPolicy = changes.restartPolicy;
    }
    const change = changes.resources;
    if (change && Object.keys(change).length > 0) {
      checkConflicts(record.spec.resources, change);
      next.spec.resources = mergeResources(record.spec.resources, change);
      const write = resourcesToWrite(next.spec.resources, change);
      const live = record.state.status === 'running' || record.state.status === 'paused';
      if (live && record.state.pid > 0) {
        try {
          await writeResources(await cgroupDirsOf(record.state.pid), write);
        } catch (err) {
          throw new PolisError('runtime.failed', `Cannot update container ${id}: ${(err as Error).message}`, {
            cause: err,
          });
        }
      }
    }
    ctx.store.update(next);
    emit(ctx, 'update', next);
  });
}
