import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { RuntimeContext } from './context.js';
import { finishRun, readExitFile } from './lifecycle/exit.js';
import { removeLocked } from './lifecycle/remove.js';
import { runtimeFor } from './context.js';

function alive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

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
      if (status !== 'running' && status !== 'paused') return;
      const exitFile = join(ctx.dirs.exits, current.id);
      const exit = await readExitFile(exitFile);
      if (exit) {
        await finishRun(ctx, current.id, exit.code, exit.time);
        await rm(exitFile, { force: true });
        return;
      }
      if (alive(current.state.conmonPid)) {
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
