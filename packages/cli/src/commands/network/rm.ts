import type { Cli } from '../../cli.js';
import type { CommandSpec, Parsed } from '../../flags.js';
import { forEach } from '../each.js';

export const spec: CommandSpec = {
  name: 'network rm',
  usage: 'NETWORK [NETWORK...]',
  summary: 'Remove one or more networks',
  aliases: ['network remove'],
  minArgs: 1,
  flags: [],
};

export function run(cli: Cli, p: Parsed): Promise<number> {
  return forEach(cli, p.args, async (name) => {
    await cli.client.networks.remove(name);
    return name;
  });
}
