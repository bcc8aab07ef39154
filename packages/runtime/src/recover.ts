import { existsSync, readFileSync } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerRecord } from '@polis/core';
import { bundleDir, emit, runtimeFor, type RuntimeContext } from './context.js';
import { finishRun, readExitFile } from './lifecycle/exit.js';
import { removeLocked } from './lifecycle/remove.js';
import { bundleFiles, launch } from './lifecycle/start.js';
import { pidAlive } from './host/pids.js';
import { detachNetworks } from './network/wire.js';

/**
 * On daemon start, brings every record in line with reality: containers whose conmon wrote an exit
 * file while polisd was away get their exit code; containers whose conmon is gone without one (host
 * reboot, kill) are marked exited with 255 as Docker does; half-finished removals are finished; a start
 * that polisd did not live to record is finished or undone (see `recoverInterruptedStart`).
 */
export async function recoverContainers(ctx: RuntimeContext): Promise<void> {
  for (const record of ctx.store.all()) {
    await ctx.locks.run(record.id, async () => {
      const current = ctx.store.byId(record.id);
      if (!current) return;
      const status = current.state.status;
      if (status === 'removing' || status === 'dead') {
        await removeLocked(ctx, current.id).catch((err) =>
          ctx.log.warn('finishing removal', { id: current.id, err }),
        );
        return;
      }
      if (status === 'restarting') {
        // The back-off timer died with the old daemon: the boot pass decides.
        current.state.status = 'exited';
        ctx.store.update(current);
      }
      if (current.state.status !== 'running' && current.state.status !== 'paused') {
        // A launch leaves its bundle on the exec root until the run's exit is recorded: a bundle beside
        // a record that is not live is a launch that polisd did not live to finish.
        if (!existsSync(bundleDir(ctx, current.id))) return;
        if (!(await recoverInterruptedStart(ctx, current))) return;
      }
      await recoverLive(ctx, current.id);
    });
  }
}

/** A record that says running or paused: its exit file, its live conmon, or a lost supervisor. */
async function recoverLive(ctx: RuntimeContext, id: string): Promise<void> {
  const current = ctx.store.byId(id);
  if (!current) return;
  const exitFile = join(ctx.dirs.exits, id);
  const exit = await readExitFile(exitFile);
  if (exit) {
    if (await finishRun(ctx, id, exit.code, exit.time)) await rm(exitFile, { force: true });
    return;
  }
  if (pidAlive(current.state.conmonPid)) {
    ctx.supervised.track(id, current.state.conmonPid);
    // conmon still supervises it; if it has just ended, its exit file is on the way.
    const state = await runtimeFor(ctx, current.runtime).state(id);
    if (
      state &&
      (state.status === 'running' || state.status === 'paused') &&
      state.status !== current.state.status
    ) {
      current.state.status = state.status;
      ctx.store.update(current);
    }
    return;
  }
  await finishRun(ctx, id, 255, new Date(), 'container supervisor (conmon) was lost');
}

/**
 * polisd died during a launch of this record (a bundle on the exec root, the record not live). Records
 * of an older polisd kept their bundle in the data dir and are not recognised here. If the runtime ran the process (running, paused, or
 * already stopped), the start happened: the record is adopted as running, with the pid and conmon of
 * that run, so that it is listed, exec works, networks keep its endpoints and a later `start` does not
 * run the entrypoint again. Otherwise the start never happened (`created`, or half-created): conmon,
 * runtime state, endpoints and mount are undone, and the record stays as it was. Returns whether the
 * record is live now.
 */
async function recoverInterruptedStart(ctx: RuntimeContext, record: ContainerRecord): Promise<boolean> {
  const runtime = runtimeFor(ctx, record.runtime);
  const state = runtime.hasState(record.id) ? await runtime.state(record.id) : undefined;
  const files = bundleFiles(bundleDir(ctx, record.id));
  const conmonPid = await readPid(files.conmonPid);
  if (state && (state.status === 'running' || state.status === 'paused' || state.status === 'stopped')) {
    const startedAt = await stat(files.pid).then(
      (st) => st.mtime,
      () => new Date(),
    );
    record.paths.bundle = bundleDir(ctx, record.id);
    record.state = {
      ...record.state,
      status: state.status === 'paused' ? 'paused' : 'running',
      pid: state.status === 'stopped' ? 0 : state.pid || (await readPid(files.pid)),
      conmonPid,
      exitCode: 0,
      error: '',
      oomKilled: false,
      startedAt: startedAt.toISOString(),
      stoppedByUser: false,
    };
    record.startCount += 1;
    ctx.store.update(record);
    ctx.log.info('recovered a start that polisd did not live to record', { id: record.id });
    emit(ctx, 'start', record);
    return true;
  }
  ctx.log.info('undoing a start that polisd did not finish', { id: record.id });
  if (conmonPid > 0 && isConmonOf(conmonPid, record.id)) {
    try {
      process.kill(conmonPid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await runtime
    .delete(record.id, true)
    .catch((err) => ctx.log.warn('runtime delete', { id: record.id, err }));
  await detachNetworks(ctx, record.id);
  await ctx.images
    .unmountRootfs(record.paths.dir)
    .catch((err) => ctx.log.warn('unmounting rootfs', { id: record.id, err }));
  await Promise.all([
    rm(bundleDir(ctx, record.id), { recursive: true, force: true }),
    rm(join(ctx.dirs.exits, record.id), { force: true }),
    rm(join(ctx.dirs.sockets, record.id), { force: true }),
  ]);
  return false;
}

async function readPid(file: string): Promise<number> {
  return Number.parseInt((await readFile(file, 'utf8').catch(() => '0')).trim(), 10) || 0;
}

/** Guards the kill against a reused pid: conmon's command line names the container id. */
function isConmonOf(pid: number, id: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(id);
  } catch {
    return false;
  }
}

/** After recovery: endpoints of containers that are not running any more are let go, exactly once. */
export async function reconcileNetworks(ctx: RuntimeContext): Promise<void> {
  if (!ctx.networks) return;
  const running = new Map<string, number>();
  for (const r of ctx.store.all()) {
    if ((r.state.status === 'running' || r.state.status === 'paused') && r.state.pid > 0)
      running.set(r.id, r.state.pid);
  }
  await ctx.networks.reconcile(running);
}

/**
 * Docker's restart policies at daemon start: `always` containers that ran before are started again,
 * `unless-stopped` ones too unless a user stopped them.
 */
export async function restartOnBoot(ctx: RuntimeContext): Promise<void> {
  for (const record of ctx.store.all()) {
    const policy = record.spec.lifecycle.restartPolicy.name;
    if (record.state.status !== 'exited' || record.startCount === 0) continue;
    if (policy !== 'always' && !(policy === 'unless-stopped' && !record.state.stoppedByUser)) continue;
    await ctx.locks
      .run(record.id, async () => {
        const current = ctx.store.byId(record.id);
        if (current?.state.status === 'exited') await launch(ctx, current);
      })
      .catch((err) => ctx.log.warn('starting container on daemon start', { id: record.id, err }));
  }
}
