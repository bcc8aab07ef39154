import { once } from 'node:events';
import { PolisError, logFailure } from '@polis/core';
import { emit, runtimeFor, type RuntimeContext } from '../context.js';
import { resolveContainer } from '../store/resolve.js';
import type { StopOptions } from '../types.js';
import { signalName } from './signals.js';
import { cancelRestart } from './restart-policy.js';
import { recordLostSupervisor } from '../monitor/supervisor-lost.js';

const DEFAULT_STOP_TIMEOUT = 10;

function isLive(status: string): boolean {
  return status === 'running' || status === 'paused';
}

/** Resolves when the container's current run has been recorded as ended, or after `ms`. */
function exitedWithin(ctx: RuntimeContext, id: string, ms: number): Promise<boolean> {
  const ac = new AbortController();
  const timer = ms >= 0 ? setTimeout(() => ac.abort(), ms) : undefined;
  return once(ctx.events, `exited:${id}`, { signal: ac.signal }).then(
    () => {
      clearTimeout(timer);
      return true;
    },
    () => false,
  );
}

/**
 * Sends a signal. A container whose process has just ended (its exit not yet recorded) makes the
 * runtime fail; then we wait briefly for the exit to be recorded and report "not running".
 */
async function signal(ctx: RuntimeContext, id: string, sig: string): Promise<void> {
  const record = resolveContainer(ctx.store, id);
  const runtime = runtimeFor(ctx, record.runtime);
  try {
    await runtime.kill(id, sig);
  } catch (err) {
    const state = await runtime.state(id);
    if (state && (state.status === 'running' || state.status === 'paused')) throw err;
    if (isLive(resolveContainer(ctx.store, id).state.status) && !(await exitedWithin(ctx, id, 3000))) {
      // The process is gone and no exit was recorded: if conmon is gone too, nothing ever will.
      await recordLostSupervisor(ctx, id);
    }
    throw new PolisError('container.not_running', `Container ${id} is not running`, {
      cause: err,
      context: { id },
    });
  }
  // A frozen process cannot act on a signal: thaw it so the signal lands.
  if (record.state.status === 'paused') {
    await runtime.resume(id).catch(logFailure(ctx.log, 'thawing before the signal', { id }));
    record.state.status = 'running';
    ctx.store.update(record);
  }
}

/** SIGKILL and wait until the exit is recorded (used by `rm -f` and the end of `stop`). */
export async function killAndWait(ctx: RuntimeContext, id: string): Promise<void> {
  const exited = exitedWithin(ctx, id, 30_000);
  try {
    await signal(ctx, id, 'KILL');
  } catch (err) {
    if (!isLive(resolveContainer(ctx.store, id).state.status)) return;
    throw err;
  }
  // Without its conmon nobody reports the exit: record it now rather than at the next watch tick.
  if (!ctx.supervised.alive(id)) {
    void recordLostSupervisor(ctx, id).catch((err) => ctx.log.warn('lost supervisor', { id, err }));
  }
  if (!(await exited) && isLive(resolveContainer(ctx.store, id).state.status)) {
    throw new PolisError('runtime.failed', `container ${id} did not exit after SIGKILL`, { context: { id } });
  }
}

/** `stop`: the stop signal, then SIGKILL after the timeout. Not running is `already_stopped` (304). */
export async function stopContainer(
  ctx: RuntimeContext,
  reference: string,
  options: StopOptions = {},
): Promise<void> {
  const record = resolveContainer(ctx.store, reference);
  if (record.state.status === 'restarting') {
    await ctx.locks.run(record.id, async () => {
      cancelRestart(ctx, record.id);
      const current = resolveContainer(ctx.store, record.id);
      current.state.stoppedByUser = true;
      ctx.store.update(current);
    });
    return emit(ctx, 'stop', record);
  }
  if (!isLive(record.state.status)) {
    throw new PolisError('container.already_stopped', `container ${record.id} is not running`);
  }
  record.state.stoppedByUser = true;
  ctx.store.update(record);
  const sig = signalName(
    options.signal ?? record.spec.basic.stopSignal ?? imageStopSignal(ctx, record.imageId) ?? 'SIGTERM',
  );
  const timeout = options.timeout ?? record.spec.basic.stopTimeout ?? DEFAULT_STOP_TIMEOUT;
  const exited = exitedWithin(ctx, record.id, timeout < 0 ? -1 : timeout * 1000);
  try {
    await signal(ctx, record.id, sig);
  } catch (err) {
    if (!isLive(resolveContainer(ctx.store, record.id).state.status)) return;
    throw err;
  }
  emit(ctx, 'kill', record, { signal: sig.replace(/^SIG/, '') });
  if (await exited) return emit(ctx, 'stop', record);
  if (!isLive(resolveContainer(ctx.store, record.id).state.status)) return emit(ctx, 'stop', record);
  await killAndWait(ctx, record.id);
  emit(ctx, 'stop', record);
}

/** `kill -s`: the container must be running. */
export async function killContainer(ctx: RuntimeContext, reference: string, sig = 'SIGKILL'): Promise<void> {
  const record = resolveContainer(ctx.store, reference);
  if (record.state.status === 'restarting') {
    throw new PolisError(
      'container.not_running',
      `Container ${record.id} is restarting, wait until the container is running`,
      {
        context: { id: record.id },
      },
    );
  }
  if (!isLive(record.state.status)) {
    throw new PolisError('container.not_running', `Container ${record.id} is not running`, {
      context: { id: record.id },
    });
  }
  const name = signalName(sig);
  if (name === 'SIGKILL' || name === 'SIGTERM') {
    record.state.stoppedByUser = true;
    ctx.store.update(record);
  }
  // As Docker: SIGKILL returns once the container has stopped.
  const exited = name === 'SIGKILL' ? exitedWithin(ctx, record.id, 30_000) : undefined;
  await signal(ctx, record.id, name);
  emit(ctx, 'kill', record, { signal: name.replace(/^SIG/, '') });
  if (exited) await exited;
}

/** The image's STOPSIGNAL, if the image is still there (a forced rmi may have removed it). */
function imageStopSignal(ctx: RuntimeContext, imageId: string): string | undefined {
  try {
    return ctx.images.get(imageId).config.config?.StopSignal;
  } catch {
    return undefined;
  }
}
