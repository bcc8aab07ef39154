import { writeSync } from 'node:fs';

/**
 * One of the CLI's standard outputs, made into a Node stream only when a command needs a stream.
 * Under Bun (the single executable) the first touch of `process.stdout` or `process.stderr` costs ~18 ms
 * (each builds a Node stream over its fd): half of a `polis version`. Text is written with write(2)
 * instead, straight to the fd, until something asks for the stream (logs, attach, a backup to stdout);
 * from then on all text goes through the stream too, behind what it holds, so the order stays as written.
 * A write(2) that meets a full non-blocking pipe (EAGAIN) hands the rest to the stream the same way.
 */
export class StdOutput {
  private made: NodeJS.WriteStream | undefined;

  constructor(
    private readonly fd: 1 | 2,
    private readonly open: () => NodeJS.WriteStream,
  ) {}

  /** The stream, made on first use (with the CLI's handler of a reader that went away). */
  get stream(): NodeJS.WriteStream {
    if (this.made === undefined) {
      this.made = this.open();
      // A reader that goes away early (`polis logs x | head -1`) ends the command quietly, as it ends
      // docker's; any other write error ends it with status 1 (there is nowhere left to report it).
      this.made.on('error', (err: NodeJS.ErrnoException) => process.exit(err.code === 'EPIPE' ? 0 : 1));
    }
    return this.made;
  }

  /** The stream if a command made it; undefined when everything went out by write(2) already. */
  get streamIfMade(): NodeJS.WriteStream | undefined {
    return this.made;
  }

  /** Writes it all (true), or hands it to the stream (its answer: false asks for a wait on `drain`). */
  write(text: string | Buffer): boolean {
    if (this.made !== undefined) return this.made.write(text);
    const data = typeof text === 'string' ? Buffer.from(text) : text;
    let at = 0;
    try {
      while (at < data.length) at += writeSync(this.fd, data, at);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') return this.stream.write(data.subarray(at));
      process.exit(code === 'EPIPE' ? 0 : 1);
    }
    return true;
  }

  /** `drain` of the stream; only asked for after a write that went to the stream and answered false. */
  once(event: 'drain', listener: () => void): this {
    this.stream.once(event, listener);
    return this;
  }
}

export const STDOUT = new StdOutput(1, () => process.stdout);
export const STDERR = new StdOutput(2, () => process.stderr);
