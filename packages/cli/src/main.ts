/** The `polis` executable's entry. */
import { describe } from './errors.js';
import { main } from './program.js';

// A reader that goes away early (`polis logs x | head -1`) ends the command quietly, as it ends docker's;
// any other write error on stdout or stderr ends it with status 1 (there is nowhere left to report it).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => process.exit(err.code === 'EPIPE' ? 0 : 1));
}

/**
 * Resolves once everything written to `stream` so far has reached the OS. A pipe whose reader is slower
 * than us (a test harness on a loaded machine, `polis logs x | slow`) makes Node queue writes in the
 * process: `process.exit` then throws that queue away, and the output loses its last kilobytes.
 */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  // Under Bun (the single executable) writableLength can read 0 while a pipe's writes are still queued,
  // and an exit then cut `polis volume backup v | slow` short: ending the stream waits for all of it.
  if ('bun' in process.versions && !stream.isTTY && !stream.destroyed && !stream.writableEnded)
    return new Promise((resolve) => stream.end(() => resolve()));
  if (stream.writableLength === 0 || stream.destroyed) return Promise.resolve();
  // Writes complete in order: the callback of an empty write runs after every earlier one.
  return new Promise((resolve) => stream.write('', () => resolve()));
}

function exit(status: number): void {
  void Promise.all([flushed(process.stdout), flushed(process.stderr)]).then(() => process.exit(status));
}

// Exit as soon as the command is done and its output is out: nothing else (an idle keep-alive socket,
// a paused stdin) should hold the process.
main(process.argv.slice(2)).then(exit, (err: unknown) => {
  process.stderr.write(`${describe(err)}\n`);
  exit(1);
});
