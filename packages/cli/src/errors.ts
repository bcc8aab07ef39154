import { PolisError } from '@polis/core/errors';

/** A bad command line: docker exits 125 for flag errors and prints a pointer to the help. */
export class UsageError extends Error {
  /** True for a wrong number of arguments, where docker also prints the usage line. */
  readonly showUsage: boolean;
  constructor(message: string, showUsage = false) {
    super(message);
    this.showUsage = showUsage;
  }
}

/** A failure with a chosen exit status (docker's `cli.StatusError`). */
export class StatusError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** The line docker prints for an error: the daemon's answers are marked as such. */
export function describe(err: unknown): string {
  if (err instanceof PolisError) {
    // An error line of a progress stream (pull, push, load) is printed as it is, as docker prints it.
    if (err.context.inBand === true) return err.message;
    if (typeof err.context.status === 'number') return `Error response from daemon: ${err.message}`;
    if (err.code === 'daemon.unreachable') return err.message;
    return `Error: ${err.message}`;
  }
  if (err instanceof Error) {
    // The daemon went away in the middle of an answer (a pull, logs -f): say so, not just "aborted".
    // Node's cut-short response is `Error: aborted` with code ECONNRESET; the code is what counts.
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ECONNRESET' || code === 'EPIPE') {
      return `Error: the connection to the daemon was lost before the answer was complete (${err.message})`;
    }
    return `Error: ${err.message}`;
  }
  return `Error: ${String(err)}`;
}

/** True when the error is the daemon's answer (as opposed to the CLI's or the connection's). */
export function fromDaemon(err: unknown): err is PolisError {
  return err instanceof PolisError && typeof err.context.status === 'number';
}
