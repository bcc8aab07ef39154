import type { Readable, Writable } from 'node:stream';
import type { ClientTls, PolisClient, PolisClientOptions } from '@polis/sdk';
import type { CommandSpec, Parsed } from './flags.js';

/** What a command file exports. `run` resolves to the exit status. */
export interface CommandModule {
  spec: CommandSpec;
  run(cli: Cli, parsed: Parsed): Promise<number>;
}

/** The command's view of the world: the daemon's client, the standard streams and the environment. */
export class Cli {
  private connection?: PolisClient;

  constructor(
    /** The client class, passed in so that the SDK loads alongside the command file, not before it. */
    private readonly Client: new (options: PolisClientOptions) => PolisClient,
    readonly host: string | undefined,
    readonly env: NodeJS.ProcessEnv = process.env,
    readonly stdout: Writable = process.stdout,
    readonly stderr: Writable = process.stderr,
    readonly stdin: Readable = process.stdin,
    /** TLS for a tcp:// host from the global flags; undefined leaves it to the SDK (the environment). */
    readonly tls?: ClientTls | false,
  ) {}

  get client(): PolisClient {
    this.connection ??= new this.Client({
      ...(this.host === undefined ? {} : { host: this.host }),
      ...(this.tls === undefined ? {} : { tls: this.tls }),
    });
    return this.connection;
  }

  out(text: string): void {
    this.stdout.write(text);
  }

  err(text: string): void {
    this.stderr.write(text);
  }

  close(): void {
    this.connection?.close();
  }
}
