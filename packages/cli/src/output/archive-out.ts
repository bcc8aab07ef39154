import { renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Cli } from '../cli.js';
import { isTerminal } from '../terminal/terminal.js';
import { FileSink } from './file-sink.js';

/** docker's refusal before an archive would be printed on a terminal (`save`, `export` without -o). */
export function refuseTerminal(cli: Cli, output: string | undefined): void {
  if (output === undefined && isTerminal(cli.stdout)) {
    throw new Error('cowardly refusing to save to a terminal. Use the -o flag or redirect');
  }
}

/**
 * Streams an archive to stdout, or to `output`: written beside the target and renamed at the end, so a
 * failed transfer leaves no half archive.
 */
export async function writeArchive(cli: Cli, tar: Readable, output: string | undefined): Promise<void> {
  if (output === undefined) {
    await pipeline(tar, cli.stdout, { end: false });
    return;
  }
  const tmp = join(dirname(output), `.${basename(output)}.${process.pid}.tmp`);
  try {
    await pipeline(tar, new FileSink(tmp, 0o600));
    renameSync(tmp, output);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
