/** The `polis` executable's entry. */
import { describe } from './errors.js';
import { main } from './program.js';
import { STDERR, STDOUT } from './terminal/stdio.js';

/**
 * Resolves once everything written to `stream` so far has reached the OS. A pipe whose reader is slower
 * than us (a test harness on a loaded machine, `polis logs x | slow`) makes Node queue writes in the
 * process: `process.exit` then throws that queue away, and the output loses its last kilobytes.
 */
function flushed(stream: NodeJS.WriteStream | undefined): Promise<void> {
  // Never made: all its text went out by write(2) (`terminal/stdio.ts`).
  if (stream === undefined) return Promise.resolve();
  // Under Bun (the single executable) writableLength can read 0 while a pipe's writes are still queued,
  // and an exit then cut `polis volume backup v | slow` short: ending the stream waits for all of it.
  if ('bun' in process.versions && !stream.isTTY && !stream.destroyed && !stream.writableEnded)
    return new Promise((resolve) => stream.end(() => resolve()));
  if (stream.writableLength === 0 || stream.destroyed) return Promise.resolve();
  // Writes complete in order: the callback of an empty write runs after every earlier one.
  return new Promise((resolve) => stream.write('', () => resolve()));
}

function exit(status: number): void {
  void Promise.all([
    STDOUT.settled(),
    STDERR.settled(),
    flushed(STDOUT.streamIfMade),
    flushed(STDERR.streamIfMade),
  ]).then(() => process.exit(status));
}

// Exit as soon as the command is done and its output is out: nothing else (an idle keep-alive socket,
// a paused stdin) should hold the process.
main(process.argv.slice(2)).then(exit, (err: unknown) => {
  STDERR.write(`${describe(err)}\n`);
  exit(1);
});
