import { readFileSync, statSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import type { ContainerRecord } from '@polis/core';
import { join } from 'node:path';
import { bundleDir, emit, runtimeFor, type RuntimeContext } from '../context.js';
import { removeLocked } from './remove.js';
import { releaseVolumes } from '../volumes/binds.js';
import { detachNetworks } from '../network/wire.js';
import { scheduleRestart, shouldRestart } from './restart-policy.js';
import { oomKillCount } from '../host/cgroup-oom.js';
import { runAttachHooks } from '../attach/attach.js';
import { cleanUpLater, retire } from './cleanup.js';
import { crashPoint } from '../crash-point.js';
import { containerCgroupDirs } from '../host/container-cgroup.js';

/**
 * conmon wrote `<exits>/<id>`: the container ended. Records the exit code and finish time, releases
 * the runtime state and the rootfs mount, wakes waiters, and removes `--rm` containers.
 * Idempotent: a missing exit file (already handled) is a no-op.
 */
export async function handleExit(ctx: RuntimeContext, id: string): Promise<void> {
  const seen = ctx.trace?.now() ?? 0;
  await ctx.locks.run(id, async () => {
    const locked = ctx.trace?.now() ?? 0;
    const file = join(ctx.dirs.exits, id);
    const exit = await readExitFile(file);
    if (!exit) return;
    const record = ctx.store.byId(id);
    if (!record) {
      await rm(file, { force: true });
      return;
    }
    // Marked under the lock: a quick process can end before its start has returned, and then ran for
    // no time after it; the wait for the start's lock shows as `exit: lock wait`.
    const ran = ctx.trace?.lastEnd(id);
    if (ran !== undefined) ctx.trace?.mark(id, 'running (until the exit was seen)', ran, Math.max(ran, seen));
    ctx.trace?.mark(id, 'exit: lock wait', seen, locked);
    const saved =
      record.state.status === 'running' || record.state.status === 'paused'
        ? await finishRun(ctx, record.id, exit.code, exit.time)
        : saveRecord(ctx, record);
    if (saved) await rm(file, { force: true });
  });
}

/**
 * Saves a record whose exit is known only in memory (see `finishRun`), or one whose exit file outlived
 * its handling; the exit file goes only once the record is saved.
 */
function saveRecord(ctx: RuntimeContext, record: ContainerRecord): boolean {
  try {
    ctx.store.update(record);
    return true;
  } catch (err) {
    ctx.log.warn('saving a container exit', { id: record.id, err });
    return false;
  }
}

/** conmon's exit file: on the exec root (a tmpfs), read at once rather than through the thread pool. */
export async function readExitFile(file: string): Promise<{ code: number; time: Date } | undefined> {
  try {
    const text = readFileSync(file, 'utf8');
    const code = Number.parseInt(text.trim(), 10);
    return { code: Number.isNaN(code) ? 255 : code, time: statSync(file).mtime };
  } catch {
    return undefined;
  }
}

/**
 * Records that the current run ended (called under the container's lock). When the record cannot be
 * saved (a full data root), the exit still counts: the record changes in memory, waiters wake and `die`
 * is emitted; it returns false, and the caller keeps the run's exit file on the exec root so that the
 * exit watcher (or recovery after a restart) saves it once it can. A `--rm` container is retired at
 * once and answered as removed; what it held is let go after that (lifecycle/cleanup.ts).
 */
export async function finishRun(
  ctx: RuntimeContext,
  id: string,
  exitCode: number,
  finishedAt: Date,
  error = '',
): Promise<boolean> {
  const record = ctx.store.byId(id);
  if (!record) return true;
  ctx.supervised.untrack(id);
  const tracer = ctx.trace;
  let t = tracer?.now() ?? 0;
  // Read before the runtime's delete removes the cgroup: a kill of any process counts, as in Docker.
  const [oomKills, marked] = await Promise.all([
    oomKillCount(containerCgroupDirs(ctx, record)).catch(() => 0),
    wasOomKilled(ctx, record.id, record.paths.dir),
  ]);
  const oomKilled = oomKills > 0 || marked;
  // The OOM watcher has reported the kills it saw while the container ran; report the rest now.
  if (oomKilled && oomKills > (ctx.oomSeen?.get(id) ?? 0)) emit(ctx, 'oom', record);
  ctx.oomSeen?.delete(id);
  record.state = {
    ...record.state,
    oomKilled,
    status: 'exited',
    pid: 0,
    conmonPid: 0,
    exitCode,
    error,
    finishedAt: finishedAt.toISOString(),
  };
  if (tracer) t = tracer.mark(id, 'exit: OOM check', t);
  if (record.spec.lifecycle.autoRemove && retire(ctx, record)) {
    crashPoint('after-retire');
    // A volume the local driver mounted (tmpfs, a device) is unmounted once its last user is gone: at
    // once, before the answer, as the container's processes are (usually a no-op).
    await releaseVolumes(ctx, record);
    if (tracer) t = tracer.mark(id, 'exit: record retired, volumes released', t);
    announceExit(ctx, record, exitCode, error);
    await runAttachHooks(ctx, id, false);
    emit(ctx, 'destroy', record);
    ctx.waiters.removed(id, { StatusCode: exitCode });
    tracer?.mark(id, 'exit: wake waiters (removed)', t);
    cleanUpLater(ctx, record, true);
    return true;
  }
  const runtime = runtimeFor(ctx, record.runtime);
  const timed = <T>(stage: string, work: () => Promise<T>): Promise<T> =>
    tracer ? tracer.step(id, stage, work) : work();
  await Promise.all([
    timed('exit: runtime delete', () =>
      runtime.delete(id, true).catch((err) => ctx.log.debug('runtime delete after exit', { id, err })),
    ),
    timed('exit: network detach', () => detachNetworks(ctx, id)),
    rm(join(ctx.dirs.sockets, id), { force: true }),
    timed('exit: rootfs unmount', () =>
      ctx.images
        .unmountRootfs(record.paths.dir)
        .catch((err) => ctx.log.warn('unmounting rootfs after exit', { id, err })),
    ),
  ]);
  t = tracer?.now() ?? 0;
  const saved = saveRecord(ctx, record);
  if (!saved) ctx.store.updateUnsaved(record);
  if (tracer) t = tracer.mark(id, 'exit: record save', t);
  await rm(bundleDir(ctx, id), { recursive: true, force: true });
  await releaseVolumes(ctx, record);
  if (tracer) t = tracer.mark(id, 'exit: bundle removal', t);
  announceExit(ctx, record, exitCode, error);
  tracer?.mark(id, 'exit: wake waiters', t);
  if (record.spec.lifecycle.autoRemove) {
    await removeLocked(ctx, record.id, true).catch((err) => ctx.log.warn('auto-remove failed', { id, err }));
  } else if (shouldRestart(record, exitCode)) {
    scheduleRestart(ctx, record, finishedAt.getTime() - Date.parse(record.state.startedAt));
  }
  return saved;
}

/** `die`, and the waiters of the exit. */
function announceExit(ctx: RuntimeContext, record: ContainerRecord, exitCode: number, error: string): void {
  emit(ctx, 'die', record, { exitCode: String(exitCode) });
  ctx.events.emit(`exited:${record.id}`, exitCode);
  ctx.waiters.exited(record.id, { StatusCode: exitCode, ...(error ? { Error: { Message: error } } : {}) });
}

/** conmon's `oom` mark: in the persist dir on the exec root, or in the data dir for an older polisd's run. */
async function wasOomKilled(ctx: RuntimeContext, id: string, dataDir: string): Promise<boolean> {
  for (const dir of [bundleDir(ctx, id), dataDir]) {
    if (
      await stat(join(dir, 'persist', 'oom')).then(
        () => true,
        () => false,
      )
    )
      return true;
  }
  return false;
}
