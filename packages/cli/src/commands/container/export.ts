import type { Cli } from '../../cli.js';
import { str, type CommandSpec, type Parsed } from '../../flags.js';
import { refuseTerminal, writeArchive } from '../../output/archive-out.js';

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
  refuseTerminal(cli, output);
  await writeArchive(cli, await cli.client.containers.export(p.args[0] as string), output);
  return 0;
}
