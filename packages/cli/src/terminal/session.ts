/**
 * The interactive part of run, start -a, attach and exec: the local stdin goes to the remote process,
 * its output comes back, until the output ends or the user types the detach keys.
 */
import type { Readable } from 'node:stream';
import type { ReadStream } from 'node:tty';
import type { AttachedContainer } from '@polis/sdk/engine';
import type { Cli } from '../cli.js';
import { describe } from '../errors.js';
import { DetachMatcher } from './detach-keys.js';
import { enterRawMode, isTerminal } from './terminal.js';

export interface SessionPlan {
  attached: AttachedContainer;
  /** Forward the local stdin to the remote process. */
  stdin: boolean;
  /** The remote process has a TTY. */
  tty: boolean;
  /** The detach sequence, watched for when the local stdin is a terminal. */
  detachKeys: Buffer;
  /**
   * Watch a terminal stdin for the detach keys even when it is not forwarded (`polis attach` to a
   * container without stdin); ctrl-c and ctrl-\ then act as the signals they stand for.
   */
  detachWithoutStdin?: boolean;
}

export type SessionEnd = 'ended' | 'detached';

/** Keys that raise a signal in a cooked terminal, for when raw mode is on only to see the detach keys. */
const SIGNAL_KEYS = new Map<number, NodeJS.Signals>([
  [0x03, 'SIGINT'],
  [0x1c, 'SIGQUIT'],
]);

export function runSession(cli: Cli, plan: SessionPlan): Promise<SessionEnd> {
  // The local stdin is touched only when it may be read: `exec CTR true` and `run --rm` without -i never
  // make it (under Bun, making process.stdin costs ~18 ms of a ~110 ms exec).
  const mayRead = plan.stdin || plan.detachWithoutStdin === true;
  const input: Readable | undefined = mayRead ? cli.stdin : undefined;
  const terminal = input !== undefined && isTerminal(input);
  const watchOnly = terminal && !plan.stdin && plan.detachWithoutStdin === true;
  const reads = plan.stdin || watchOnly;
  // A remote TTY wants keys as typed; a cooked terminal would also eat ctrl-q (XON) of the detach keys.
  const restore =
    terminal && ((plan.tty && plan.stdin) || watchOnly) ? enterRawMode(input as ReadStream) : () => undefined;
  const matcher = terminal ? new DetachMatcher(plan.detachKeys) : undefined;
  const socket = plan.attached.stdin;

  return new Promise((resolve) => {
    let done = false;
    const finish = (end: SessionEnd): void => {
      if (done) return;
      done = true;
      input?.off('data', onData);
      input?.off('end', onEnd);
      input?.pause();
      restore();
      resolve(end);
    };
    const onData = (chunk: Buffer): void => {
      let data = chunk;
      if (matcher) {
        const r = matcher.push(chunk);
        data = r.data;
        if (r.detached) {
          if (plan.stdin && data.length > 0) socket?.write(data);
          finish('detached');
          plan.attached.close();
          return;
        }
      }
      if (!plan.stdin) {
        for (const byte of data) {
          const signal = SIGNAL_KEYS.get(byte);
          if (signal) raise(signal, restore);
        }
        return;
      }
      if (socket && data.length > 0 && !socket.write(data)) {
        input?.pause();
        socket.once('drain', () => {
          if (!done) input?.resume();
        });
      }
    };
    // End of the local input is end of the remote stdin; the output keeps flowing.
    const onEnd = (): void => plan.attached.closeStdin();
    if (reads && input) {
      input.on('data', onData);
      if (plan.stdin) input.on('end', onEnd);
    }
    plan.attached.demuxTo(cli.outSink, cli.errSink).then(
      () => finish('ended'),
      (err: unknown) => {
        finish('ended');
        cli.err(`${describe(err)}\n`);
      },
    );
  });
}

/** What the key would have done in a cooked terminal: the handler if any, else the default action. */
function raise(signal: NodeJS.Signals, restore: () => void): void {
  if (process.listenerCount(signal) > 0) {
    process.emit(signal, signal);
    return;
  }
  restore();
  process.kill(process.pid, signal);
}
