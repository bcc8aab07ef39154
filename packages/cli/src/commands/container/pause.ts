import type { Cli } from '../../cli.js';
import type { CommandSpec, Parsed } from '../../flags.js';
import { forEach } from '../each.js';

export const spec: CommandSpec = {
  name: 'pause',
  usage: 'CONTAINER [CONTAINER...]',
  summary: 'Pause all processes within one or more containers',
  aliases: ['container pause'],
  minArgs: 1,
  flags: [],
};

export function run(cli: Cli, p: Parsed): Promise<number> {
  return forEach(cli, p.args, async (id) => {
    await cli.client.containers.pause(id);
    return id;
  });
}
