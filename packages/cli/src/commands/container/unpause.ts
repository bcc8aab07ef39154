import type { Cli } from '../../cli.js';
import type { CommandSpec, Parsed } from '../../flags.js';
import { forEach } from '../each.js';

export const spec: CommandSpec = {
  name: 'unpause',
  usage: 'CONTAINER [CONTAINER...]',
  summary: 'Unpause all processes within one or more containers',
  aliases: ['container unpause'],
  minArgs: 1,
  flags: [],
};

export function run(cli: Cli, p: Parsed): Promise<number> {
  return forEach(cli, p.args, async (id) => {
    await cli.client.containers.unpause(id);
    return id;
  });
}
