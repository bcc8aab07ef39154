import { join } from 'node:path';
import type { ContainerRecord } from '@polis/core';
import type { RuntimeContext } from '../context.js';
import { readLog } from '../logs/reader.js';
import type { AttachOptions, LogEntry } from '../types.js';
import { AttachConnection } from './connection.js';
import { DEFAULT_DETACH_KEYS, DetachScanner, parseDetachKeys } from './detach-keys.js';
import { AsyncQueue } from './queue.js';

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
  const wanted = (stream: 'stdout' | 'stderr'): boolean =>
    stream === 'stdout' ? options.stdout : options.stderr;
  if (options.logs) {
    yield* readLog(record.paths.logPath, { stdout: options.stdout, stderr: options.stderr, follow: false });
  }
  if (!options.stream) return;
  // As Docker: the detach sequence is looked for only on a terminal; piped input passes untouched.
  const scanner = new DetachScanner(
    record.spec.basic.tty ? parseDetachKeys(options.detachKeys ?? DEFAULT_DETACH_KEYS) : [],
  );
  const conn = await connectWhenRunning(ctx, record.id, signal);
  if (!conn) return;
  const queue = new AsyncQueue<LogEntry>();
  conn.on('output', (o: { stream: 'stdout' | 'stderr'; data: Buffer }) => {
    if (wanted(o.stream)) queue.push({ stream: o.stream, time: new Date().toISOString(), data: o.data });
  });
  conn.on('end', () => queue.close());
  const onAbort = (): void => queue.close();
  signal?.addEventListener('abort', onAbort, { once: true });
  const stdin = record.spec.basic.openStdin ? options.stdin : undefined;
  const onData = (chunk: Buffer): void => {
    const { pass, detach } = scanner.feed(chunk);
    if (pass.length) conn.write(pass);
    if (detach) queue.close();
  };
  // With a TTY the end of the client's input is not the end of the terminal's (Docker keeps it open).
  const onEnd = (): void => {
    if (!record.spec.basic.tty) conn.closeStdin();
  };
  stdin?.on('data', onData);
  stdin?.on('end', onEnd);
  try {
    yield* queue;
  } finally {
    stdin?.off('data', onData);
    stdin?.off('end', onEnd);
    signal?.removeEventListener('abort', onAbort);
    conn.close();
  }
}
