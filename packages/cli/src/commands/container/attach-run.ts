/**
 * The attached part of `run` and `start -a`, in docker's order: attach (stream only, nothing replayed),
 * register the wait, start, then stream until the container is done and return its exit status.
 */
import type { AttachedContainer } from '@polis/sdk/engine';
import type { Cli } from '../../cli.js';
import { describe, fromDaemon } from '../../errors.js';
import { DEFAULT_DETACH_KEYS, parseDetachKeys } from '../../terminal/detach-keys.js';
import { runSession } from '../../terminal/session.js';
import { monitorSize } from '../../terminal/terminal.js';
import { proxySignals } from './signals.js';

export interface AttachPlan {
  id: string;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
  autoRemove: boolean;
  /** Forward the CLI's signals to the container (docker's --sig-proxy). */
  sigProxy: boolean;
  /** Already running (`start -a` on a running container): attach only. */
  running?: boolean;
  /** docker's --detach-keys; `ctrl-p,ctrl-q` when unset. */
  detachKeys?: string;
}

export class StartFailed extends Error {
  constructor(
    readonly failure: unknown,
    readonly status: number,
  ) {
    super(describe(failure));
  }
}

/** docker's exit status for a failed start: 127 command not found, 126 not executable, else 125. */
export function startFailureStatus(err: unknown): number {
  if (fromDaemon(err)) {
    if (err.code === 'container.command_not_found') return 127;
    if (err.code === 'container.command_not_executable') return 126;
  }
  return 125;
}

export async function attachAndRun(cli: Cli, plan: AttachPlan): Promise<number> {
  const containers = cli.client.containers;
  const detachKeys = parseDetachKeys(plan.detachKeys ?? DEFAULT_DETACH_KEYS);
  // The attach and the wait are both in place before the start; they need not wait for each other.
  const attaching: Promise<AttachedContainer | undefined> =
    plan.stdin || plan.stdout || plan.stderr
      ? containers.attach(plan.id, {
          stream: true,
          stdin: plan.stdin,
          stdout: plan.stdout,
          stderr: plan.stderr,
          detachKeys: plan.detachKeys,
          tty: plan.tty,
        })
      : Promise.resolve(undefined);
  const waiting = containers.startWait(plan.id, {
    condition: plan.autoRemove ? 'removed' : 'next-exit',
  });
  const [attachedResult, waitResult] = await Promise.allSettled([attaching, waiting]);
  if (attachedResult.status === 'rejected') {
    if (waitResult.status === 'fulfilled') waitResult.value.result.catch(() => undefined);
    throw attachedResult.reason;
  }
  const attached = attachedResult.value;
  if (waitResult.status === 'rejected') {
    attached?.close();
    throw waitResult.reason;
  }
  const pending = waitResult.value;
  if (!plan.running) {
    try {
      await containers.start(plan.id);
    } catch (err) {
      attached?.close();
      throw new StartFailed(err, startFailureStatus(err));
    }
  }
  const stopResize = plan.tty
    ? monitorSize(cli.stdout, (size) => containers.resize(plan.id, size))
    : undefined;
  // Ctrl-C and friends go to the container (docker's --sig-proxy), not to the CLI; with a TTY they are
  // keys the container's terminal turns into signals itself.
  const stopProxy = plan.sigProxy && !plan.tty ? proxySignals(cli, plan.id) : undefined;
  const end = attached
    ? await runSession(cli, { attached, stdin: plan.stdin, tty: plan.tty, detachKeys })
    : 'ended';
  stopResize?.();
  stopProxy?.();
  // docker run returns quietly on the detach keys; the container keeps running.
  if (end === 'detached') return 0;
  const result = await pending.result;
  if (result.Error?.Message) {
    cli.err(`Error waiting for container: ${result.Error.Message}\n`);
    return 125;
  }
  return result.StatusCode;
}
