import type { Cli } from '../../cli.js';
import { str, type CommandSpec, type Parsed } from '../../flags.js';
import { refuseTerminal, writeArchive } from '../../output/archive-out.js';

export const spec: CommandSpec = {
  name: 'save',
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  summary: 'Save one or more images to a tar archive (streamed to STDOUT by default)',
  aliases: ['image save'],
  minArgs: 1,
  flags: [{ name: 'output', short: 'o', type: 'string', help: 'Write to a file, instead of STDOUT' }],
};

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const output = str(p, 'output');
  refuseTerminal(cli, output);
  await writeArchive(cli, await cli.client.images.save(p.args), output);
  return 0;
}
