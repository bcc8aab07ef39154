import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerRecord } from '@polis/core';
import { runtimeFor, type RuntimeContext } from '../context.js';
import { finishRun, readExitFile } from '../lifecycle/exit.js';
import { processStart } from './process-start.js';

export const LOST_SUPERVISOR = 'container supervisor (conmon) was lost';
/**
 * Exit code recorded when conmon died without writing one while polisd runs: 137, as containerd
 * records for a task whose shim died (its cleanup SIGKILLs the task). At daemon start, Docker's
 * restore records 255 instead; `recoverContainers` keeps that.
 */
export const LOST_EXIT_CODE = 137;
const ORPHAN_KILL_WAIT_MS = 5000;

/**
 * The container's conmon is gone. If it wrote the exit file first, that code is recorded. Otherwise
 * nothing would ever report this run's end: a container process still running without its supervisor
 * (no logs, no exit file, no attach) is killed, and the exit recorded as `LOST_EXIT_CODE`, so that
 * `wait` returns, `die` is emitted and `rm -f` need not wait for an exit that never comes.
 */
export async function recordLostSupervisor(ctx: RuntimeContext, id: string): Promise<void> {
  await ctx.locks.run(id, async () => {
    const record = ctx.store.byId(id);
    if (!record || (record.state.status !== 'running' && record.state.status !== 'paused')) {
      ctx.supervised.untrack(id);
      return;
    }
    if (supervisorAlive(ctx, record)) return;
    const exitFile = join(ctx.dirs.exits, id);
    const exit = await readExitFile(exitFile);
    if (exit) {
      if (await finishRun(ctx, id, exit.code, exit.time)) await rm(exitFile, { force: true });
      return;
    }
    ctx.log.warn('container supervisor lost; killing the container', { id });
    await killOrphan(ctx, record);
    if (!(await finishRun(ctx, id, LOST_EXIT_CODE, new Date(), LOST_SUPERVISOR))) {
      // Not saved: leave an exit file as conmon would have, for the exit watcher to save later.
      await writeFile(exitFile, String(LOST_EXIT_CODE)).catch(() => undefined);
    }
  });
}

/** Whether the record's conmon still runs (the tracked process, or for an untracked record its pid). */
function supervisorAlive(ctx: RuntimeContext, record: ContainerRecord): boolean {
  if (ctx.supervised.has(record.id)) return ctx.supervised.alive(record.id);
  return processStart(record.state.conmonPid) !== undefined;
}

/** SIGKILLs the container's process (thawed first: a frozen one cannot die) and waits for it to end. */
async function killOrphan(ctx: RuntimeContext, record: ContainerRecord): Promise<void> {
  const pid = record.state.pid;
  if (processStart(pid) === undefined) return;
  const runtime = runtimeFor(ctx, record.runtime);
  if (record.state.status === 'paused') await runtime.resume(record.id).catch(() => undefined);
  await runtime
    .kill(record.id, 'KILL', true)
    .catch(() => runtime.kill(record.id, 'KILL'))
    .catch((err) => ctx.log.debug('killing a container without its supervisor', { id: record.id, err }));
  const deadline = Date.now() + ORPHAN_KILL_WAIT_MS;
  while (processStart(pid) !== undefined && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
}
