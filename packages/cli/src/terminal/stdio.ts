/** Bun's writer of an fd (`Bun.stdout.writer()`): buffers, and `flush` answers a promise while it waits. */
interface BunSink {
  write(chunk: string | ArrayBufferView): number;
  flush(): number | Promise<number>;
}
type BunStdio = { stdout: { writer(): BunSink }; stderr: { writer(): BunSink } };

/** Bun's own standard files, where the CLI runs as the single executable; undefined under Node. */
const BUN = (globalThis as { Bun?: BunStdio }).Bun;

/**
 * One of the CLI's standard outputs, made into a Node stream only when a command needs a stream.
 * Under Bun (the single executable) the first touch of `process.stdout` or `process.stderr` costs ~18 ms
 * (each builds a Node stream over its fd): half of a `polis version`. Text is written straight to the fd
 * instead, until something asks for the stream (logs, attach, a backup to stdout); from then on all text
 * goes through the stream too, behind what it holds, so the order stays as written.
 *
 * Straight to the fd means: under Node, write(2) through node:fs (a write that meets a full non-blocking
 * pipe, EAGAIN, hands the rest to the stream); under Bun, Bun's own writer of the fd, flushed at each
 * write, because even a static import of node:fs costs Bun's start-up ~4 ms. Bun's writer holds what a
 * full pipe would not take and answers a promise: `write` then answers false and `drain` is that
 * promise, so a fast producer waits as it would on a stream.
 */
export class StdOutput {
  private made: NodeJS.WriteStream | undefined;
  private sink: BunSink | undefined;
  /** Bun's writer's flush still waiting on the pipe, if any. */
  private pending: Promise<void> | undefined;

  constructor(
    private readonly fd: 1 | 2,
    private readonly open: () => NodeJS.WriteStream,
  ) {}

  /** The stream, made on first use (with the CLI's handler of a reader that went away). */
  get stream(): NodeJS.WriteStream {
    if (this.made === undefined) {
      const made = this.open();
      this.made = made;
      // A reader that goes away early (`polis logs x | head -1`) ends the command quietly, as it ends
      // docker's; any other write error ends it with status 1 (there is nowhere left to report it).
      made.on('error', (err: NodeJS.ErrnoException) => gone(err));
      // What Bun's writer still holds goes out first.
      if (this.pending) {
        made.cork();
        void this.pending.then(() => made.uncork());
      }
    }
    return this.made;
  }

  /** The stream if a command made it; undefined when everything went out straight to the fd. */
  get streamIfMade(): NodeJS.WriteStream | undefined {
    return this.made;
  }

  /** Resolves once what was written straight to the fd has all gone out (Bun's writer). */
  settled(): Promise<void> {
    return this.pending ?? Promise.resolve();
  }

  /** Writes it all (true), or takes it and asks for a wait on `drain` (false). */
  write(text: string | Buffer): boolean {
    if (this.made !== undefined) return this.made.write(text);
    if (BUN) return this.writeBun(BUN, text);
    const data = typeof text === 'string' ? Buffer.from(text) : text;
    const { writeSync } = process.getBuiltinModule('node:fs');
    let at = 0;
    try {
      while (at < data.length) at += writeSync(this.fd, data, at);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') return this.stream.write(data.subarray(at));
      gone(err);
    }
    return true;
  }

  /** `drain`: after a write that answered false. */
  once(event: 'drain', listener: () => void): this {
    if (this.made === undefined && this.pending) void this.pending.then(listener);
    else this.stream.once(event, listener);
    return this;
  }

  private writeBun(bun: BunStdio, text: string | Buffer): boolean {
    this.sink ??= (this.fd === 1 ? bun.stdout : bun.stderr).writer();
    try {
      this.sink.write(text);
      const flushed = this.sink.flush();
      if (typeof flushed === 'number') return this.pending === undefined;
      const done: Promise<void> = flushed.then(
        () => {
          if (this.pending === done) this.pending = undefined;
        },
        (err: unknown) => gone(err),
      );
      this.pending = done;
      return false;
    } catch (err) {
      gone(err);
    }
  }
}

/** A standard output that failed: quietly for a reader that went away (EPIPE), else with status 1. */
function gone(err: unknown): never {
  process.exit((err as NodeJS.ErrnoException | undefined)?.code === 'EPIPE' ? 0 : 1);
}

export const STDOUT = new StdOutput(1, () => process.stdout);
export const STDERR = new StdOutput(2, () => process.stderr);
