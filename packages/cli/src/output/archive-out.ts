import { closeSync, openSync, renameSync, rmSync } from 'node:fs';
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
  await intoFile(output, (tmp) => pipeline(tar, new FileSink(tmp, 0o600)));
}

/**
 * Makes `output` by `fill`ing a file beside it, created empty with mode 0600 first (so a writer that
 * keeps a file's mode keeps that one), and renaming it at the end: a failed transfer leaves nothing.
 */
export async function intoFile(output: string, fill: (tmp: string) => Promise<unknown>): Promise<void> {
  const tmp = join(dirname(output), `.${basename(output)}.${process.pid}.tmp`);
  try {
    closeSync(openSync(tmp, 'w', 0o600));
    await fill(tmp);
    renameSync(tmp, output);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
