import type { Cli } from '../../cli.js';
import type { CommandSpec, Parsed } from '../../flags.js';

export const spec: CommandSpec = {
  name: 'diff',
  usage: 'CONTAINER',
  summary: "Inspect changes to files or directories on a container's filesystem",
  aliases: ['container diff'],
  minArgs: 1,
  maxArgs: 1,
  flags: [],
};

/** docker's letters for the change kinds 0, 1 and 2. */
const LETTER = ['C', 'A', 'D'] as const;

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const changes = await cli.client.containers.changes(p.args[0] as string);
  cli.out(changes.map((c) => `${LETTER[c.Kind] ?? '?'} ${c.Path}\n`).join(''));
  return 0;
}
