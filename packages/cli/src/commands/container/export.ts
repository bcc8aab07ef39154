import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Cli } from '../../cli.js';
import { str, type CommandSpec, type Parsed } from '../../flags.js';
import { isTerminal } from '../../terminal/terminal.js';

export const spec: CommandSpec = {
  name: 'export',
  usage: '[OPTIONS] CONTAINER',
  summary: "Export a container's filesystem as a tar archive",
  aliases: ['container export'],
  minArgs: 1,
  maxArgs: 1,
  flags: [{ name: 'output', short: 'o', type: 'string', help: 'Write to a file, instead of STDOUT' }],
};

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const output = str(p, 'output');
  if (output === undefined && isTerminal(cli.stdout)) {
    throw new Error('cowardly refusing to save to a terminal. Use the -o flag or redirect');
  }
  const tar = await cli.client.containers.export(p.args[0] as string);
  if (output === undefined) {
    await pipeline(tar, cli.stdout, { end: false });
    return 0;
  }
  // Written beside the target and renamed at the end, so a failed export leaves no half archive.
  const tmp = join(dirname(output), `.${basename(output)}.${process.pid}.tmp`);
  try {
    await pipeline(tar, createWriteStream(tmp, { mode: 0o600 }));
    renameSync(tmp, output);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  return 0;
}
