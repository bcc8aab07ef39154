import { join } from 'node:path';
import type { ContainerRecord } from '@polis/core';
import type { RuntimeContext } from '../context.js';
import { readLog } from '../logs/reader.js';
import type { AttachOptions, LogEntry } from '../types.js';
import { AttachConnection } from './connection.js';
import { parseDetachKeys } from './detach-keys.js';
import { relay } from './relay.js';

export function attachSocketPath(ctx: RuntimeContext, id: string): string {
  return join(ctx.dirs.sockets, id, 'attach');
}

/**
 * Connects to the container's attach socket now if it runs, else when it is next launched: launch
 * runs the hooks after conmon has created the container and before `<runtime> start`, so nothing the
 * process writes is missed.
 */
function connectWhenRunning(
  ctx: RuntimeContext,
  id: string,
  signal?: AbortSignal,
): Promise<AttachConnection | undefined> {
  const status = ctx.store.byId(id)?.state.status;
  if (status === 'running' || status === 'paused') return AttachConnection.connect(attachSocketPath(ctx, id));
  return new Promise((resolve, reject) => {
    let hooks = ctx.attachHooks.get(id);
    if (!hooks) ctx.attachHooks.set(id, (hooks = new Set()));
    const hook = async (launched: boolean): Promise<void> => {
      if (!launched) return resolve(undefined);
      try {
        resolve(await AttachConnection.connect(attachSocketPath(ctx, id)));
      } catch (err) {
        reject(err);
      }
    };
    hooks.add(hook);
    signal?.addEventListener(
      'abort',
      () => {
        ctx.attachHooks.get(id)?.delete(hook);
        resolve(undefined);
      },
      { once: true },
    );
  });
}

/**
 * Called by launch between conmon's create and `<runtime> start` (`launched`), or when the launch
 * failed or the container is removed (not `launched`: the waiting attaches end).
 */
export async function runAttachHooks(ctx: RuntimeContext, id: string, launched = true): Promise<void> {
  const hooks = ctx.attachHooks.get(id);
  if (!hooks || hooks.size === 0) return;
  ctx.attachHooks.delete(id);
  await Promise.allSettled([...hooks].map((h) => h(launched)));
}

/**
 * Docker's attach: optionally the logged output so far, then the live output from conmon's attach
 * socket until the container ends (or the client detaches), with the client's input sent to the
 * container's stdin when it has one.
 */
export async function* attachStream(
  ctx: RuntimeContext,
  record: ContainerRecord,
  options: AttachOptions,
  signal?: AbortSignal,
): AsyncGenerator<LogEntry> {
  if (options.logs) {
    yield* readLog(record.paths.logPath, { stdout: options.stdout, stderr: options.stderr, follow: false });
  }
  if (!options.stream) return;
  if (options.detachKeys !== undefined) parseDetachKeys(options.detachKeys);
  const conn = await connectWhenRunning(ctx, record.id, signal);
  if (!conn) return;
  yield* relay(conn, {
    tty: record.spec.basic.tty,
    stdout: options.stdout,
    stderr: options.stderr,
    stdin: record.spec.basic.openStdin ? options.stdin : undefined,
    detachKeys: options.detachKeys,
    signal,
  });
}
