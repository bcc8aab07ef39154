import type { Readable, Writable } from 'node:stream';
import type { ClientTls, OutputSink, PolisClient, PolisClientOptions } from '@polis/sdk/engine';
import type { CommandSpec, Parsed } from './flags.js';
import { STDERR, STDOUT } from './terminal/stdio.js';

/** What a command file exports. `run` resolves to the exit status. */
export interface CommandModule {
  spec: CommandSpec;
  run(cli: Cli, parsed: Parsed): Promise<number>;
}

/**
 * The command's view of the world: the daemon's client, the standard streams and the environment.
 * Streams not given are the process's own, made only when a command reads or streams (`terminal/stdio.ts`:
 * under Bun, making them costs more start-up than the rest of a short command); `out` and `err` write
 * text without them.
 */
export class Cli {
  private connection?: PolisClient;

  constructor(
    /** The client class, passed in so that the SDK loads alongside the command file, not before it. */
    private readonly Client: new (options: PolisClientOptions) => PolisClient,
    readonly host: string | undefined,
    readonly env: NodeJS.ProcessEnv = process.env,
    private readonly givenStdout?: Writable,
    private readonly givenStderr?: Writable,
    private readonly givenStdin?: Readable,
    /** TLS for a tcp:// host from the global flags; undefined leaves it to the SDK (the environment). */
    readonly tls?: ClientTls | false,
  ) {}

  get stdout(): Writable {
    return this.givenStdout ?? STDOUT.stream;
  }

  get stderr(): Writable {
    return this.givenStderr ?? STDERR.stream;
  }

  get stdin(): Readable {
    return this.givenStdin ?? process.stdin;
  }

  /** Where a container's output goes: the given stdout, else fd 1 without a Node stream made for it. */
  get outSink(): OutputSink {
    return this.givenStdout ?? STDOUT;
  }

  get errSink(): OutputSink {
    return this.givenStderr ?? STDERR;
  }

  get client(): PolisClient {
    this.connection ??= new this.Client({
      ...(this.host === undefined ? {} : { host: this.host }),
      ...(this.tls === undefined ? {} : { tls: this.tls }),
    });
    return this.connection;
  }

  out(text: string): void {
    if (this.givenStdout) this.givenStdout.write(text);
    else STDOUT.write(text);
  }

  err(text: string): void {
    if (this.givenStderr) this.givenStderr.write(text);
    else STDERR.write(text);
  }

  close(): void {
    this.connection?.close();
  }
}
