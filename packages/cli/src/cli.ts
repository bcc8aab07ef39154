import type { Writable } from 'node:stream';
import { PolisClient } from '@polis/sdk';
import type { CommandSpec, Parsed } from './flags.js';

/** What a command file exports. `run` resolves to the exit status. */
export interface CommandModule {
  spec: CommandSpec;
  run(cli: Cli, parsed: Parsed): Promise<number>;
}

/** The command's view of the world: the daemon's client, the output streams and the environment. */
export class Cli {
  private connection?: PolisClient;

  constructor(
    readonly host: string | undefined,
    readonly env: NodeJS.ProcessEnv = process.env,
    readonly stdout: Writable = process.stdout,
    readonly stderr: Writable = process.stderr,
  ) {}

  get client(): PolisClient {
    this.connection ??= new PolisClient(this.host === undefined ? {} : { host: this.host });
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
