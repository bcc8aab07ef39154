/** The `polis` executable's entry. */
import { describe } from './errors.js';
import { main } from './program.js';

// Exit as soon as the command is done: stdout and stderr are synchronous for files and pipes on Linux,
// and nothing else (an idle keep-alive socket, a paused stdin) should hold the process.
main(process.argv.slice(2)).then(
  (status) => process.exit(status),
  (err: unknown) => {
    process.stderr.write(`${describe(err)}\n`);
    process.exit(1);
  },
);
