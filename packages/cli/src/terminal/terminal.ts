/** The local terminal: raw mode with a guaranteed restore, its size, and docker's TTY check. */
import type { ReadStream, WriteStream } from 'node:tty';
import type { Readable, Writable } from 'node:stream';
import type { TerminalSize } from '@polis/sdk/engine';

export function isTerminal(stream: Readable | Writable): stream is ReadStream | WriteStream {
  return (stream as { isTTY?: boolean }).isTTY === true;
}

export const NOT_A_TTY = 'the input device is not a TTY';

/** docker's `CheckTty`: a TTY with stdin attached needs a terminal on this side. */
export function lacksTerminal(
  cli: { readonly stdin: Readable },
  attachStdin: boolean,
  tty: boolean,
): boolean {
  // The stdin getter runs only when both are asked for: making process.stdin costs Bun's start-up.
  return tty && attachStdin && !isTerminal(cli.stdin);
}

/**
 * Puts the terminal in raw mode (keys arrive as typed, nothing echoed, no signals from ctrl-c) and
 * returns the restore. The restore also runs at process exit, so an error path cannot leave the user's
 * terminal raw.
 */
export function enterRawMode(input: ReadStream): () => void {
  input.setRawMode(true);
  let restored = false;
  const restore = (): void => {
    if (restored) return;
    restored = true;
    process.off('exit', restore);
    input.setRawMode(false);
  };
  process.on('exit', restore);
  return restore;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Sends the terminal's size now and whenever it changes (SIGWINCH). The first send is retried as
 * docker's is: the process may not be ready for it yet. Returns the stop.
 */
export function monitorSize(output: Writable, resize: (size: TerminalSize) => Promise<void>): () => void {
  if (!isTerminal(output)) return () => undefined;
  const tty = output as WriteStream;
  const send = (): Promise<void> => resize({ h: tty.rows, w: tty.columns });
  let stopped = false;
  void (async () => {
    for (let attempt = 1; attempt <= 10 && !stopped; attempt++) {
      try {
        await send();
        return;
      } catch {
        await sleep(attempt * 10);
      }
    }
  })();
  const onResize = (): void => {
    send().catch(() => undefined);
  };
  tty.on('resize', onResize);
  return () => {
    stopped = true;
    tty.off('resize', onResize);
  };
}
