/** The `polis` executable's entry. */
import { describe } from './errors.js';
import { main } from './program.js';

// A reader that goes away early (`polis logs x | head -1`) ends the command quietly, as it ends docker's;
// any other write error on stdout or stderr ends it with status 1 (there is nowhere left to report it).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => process.exit(err.code === 'EPIPE' ? 0 : 1));
}

// Exit as soon as the command is done: stdout and stderr are synchronous for files and pipes on Linux,
// and nothing else (an idle keep-alive socket, a paused stdin) should hold the process.
main(process.argv.slice(2)).then(
  (status) => process.exit(status),
  (err: unknown) => {
    process.stderr.write(`${describe(err)}\n`);
    process.exit(1);
  },
);
