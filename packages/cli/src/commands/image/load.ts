import { createReadStream } from 'node:fs';
import type { Cli } from '../../cli.js';
import { bool, str, type CommandSpec, type Parsed } from '../../flags.js';
import { isTerminal } from '../../terminal/terminal.js';
import { showProgress } from './pull-image.js';

export const spec: CommandSpec = {
  name: 'load',
  usage: '[OPTIONS]',
  summary: 'Load an image from a tar archive or STDIN',
  aliases: ['image load'],
  maxArgs: 0,
  flags: [
    { name: 'input', short: 'i', type: 'string', help: 'Read from tar archive file, instead of STDIN' },
    { name: 'quiet', short: 'q', type: 'bool', help: 'Suppress the load output' },
  ],
};

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const input = str(p, 'input');
  if (input === undefined && isTerminal(cli.stdin)) {
    throw new Error('requested load from stdin, but stdin is empty');
  }
  const source = input === undefined ? cli.stdin : createReadStream(input);
  // As docker: progress bars only for a terminal; the "Loaded image" lines always.
  const quiet = bool(p, 'quiet') || !isTerminal(cli.stdout);
  await showProgress(cli.client.images.load(source, { quiet }), cli.stdout, false);
  return 0;
}
