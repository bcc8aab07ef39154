/** Pulling with docker's progress display: `polis pull`, and `run`/`create` of a missing image. */
import type { WriteStream } from 'node:tty';
import type { Writable } from 'node:stream';
import { configPath, DockerConfigFile, type ProgressStream, type RegistryAuth } from '@polis/sdk/engine';
import type { Cli } from '../../cli.js';
import { ProgressRenderer } from '../../format/progress.js';
import { isTerminal } from '../../terminal/terminal.js';

/** The credentials stored for the image's registry; a config file that cannot be read is only a warning. */
export function storedAuth(cli: Cli, image: string): RegistryAuth | undefined {
  const file = new DockerConfigFile(configPath(cli.env));
  try {
    return file.credentialsForImage(image);
  } catch (err) {
    cli.err(`WARNING: Error loading config file: ${file.path}: ${(err as Error).message}\n`);
    return undefined;
  }
}

/** Reads a progress stream to the end, drawn on `out` (in place on a terminal); nothing when quiet. */
export async function showProgress(stream: ProgressStream, out: Writable, quiet: boolean): Promise<void> {
  if (quiet) {
    await stream.collect();
    return;
  }
  const terminal = isTerminal(out);
  const width = terminal ? ((out as WriteStream).columns ?? 200) : 200;
  const renderer = new ProgressRenderer((text) => out.write(text), terminal, width);
  await stream.collect((msg) => renderer.render(msg));
}

export interface PullOptions {
  platform?: string;
  quiet?: boolean;
}

/** Pulls `image` with the stored credentials, the progress written to `out`. */
export function pullImage(cli: Cli, image: string, out: Writable, options: PullOptions = {}): Promise<void> {
  const auth = storedAuth(cli, image);
  const stream = cli.client.images.pull(image, {
    ...(options.platform !== undefined ? { platform: options.platform } : {}),
    ...(auth !== undefined ? { auth } : {}),
  });
  return showProgress(stream, out, options.quiet === true);
}
