import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { RuntimeContext } from './context.js';
import { finishRun, readExitFile } from './lifecycle/exit.js';
import { removeLocked } from './lifecycle/remove.js';
import { launch } from './lifecycle/start.js';
import { runtimeFor } from './context.js';
import { pidAlive } from './host/pids.js';

/**
 * On daemon start, brings every record in line with reality: containers whose conmon wrote an exit
 * file while polisd was away get their exit code; containers whose conmon is gone without one (host
 * reboot, kill) are marked exited with 255 as Docker does; half-finished removals are finished.
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
        return;
      }
      if (status !== 'running' && status !== 'paused') return;
      const exitFile = join(ctx.dirs.exits, current.id);
      const exit = await readExitFile(exitFile);
      if (exit) {
        await finishRun(ctx, current.id, exit.code, exit.time);
        await rm(exitFile, { force: true });
        return;
      }
      if (pidAlive(current.state.conmonPid)) {
        // conmon still supervises it; if it has just ended, its exit file is on the way.
        const state = await runtimeFor(ctx, current.runtime).state(current.id);
        if (state && (state.status === 'running' || state.status === 'paused') && state.status !== status) {
          current.state.status = state.status;
          ctx.store.update(current);
        }
        return;
      }
      await finishRun(ctx, current.id, 255, new Date(), 'container supervisor (conmon) was lost');
    });
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
