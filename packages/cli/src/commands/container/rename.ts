import type { Cli } from '../../cli.js';
import type { CommandSpec, Parsed } from '../../flags.js';

export const spec: CommandSpec = {
  name: 'rename',
  usage: 'CONTAINER NEW_NAME',
  summary: 'Rename a container',
  aliases: ['container rename'],
  minArgs: 2,
  maxArgs: 2,
  flags: [],
};

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const [id, name] = p.args as [string, string];
  if (name.trim() === '') throw new Error('Neither old nor new names may be empty');
  await cli.client.containers.rename(id, name);
  return 0;
}
