import type { Cli } from '../../cli.js';
import { bool, type CommandSpec, type Parsed } from '../../flags.js';
import { forEach } from '../each.js';

export const spec: CommandSpec = {
  name: 'volume rm',
  usage: '[OPTIONS] VOLUME [VOLUME...]',
  summary: 'Remove one or more volumes',
  aliases: ['volume remove'],
  minArgs: 1,
  flags: [{ name: 'force', short: 'f', type: 'bool', help: 'Force the removal of one or more volumes' }],
};

export function run(cli: Cli, p: Parsed): Promise<number> {
  const force = bool(p, 'force');
  return forEach(cli, p.args, async (name) => {
    await cli.client.volumes.remove(name, { force });
    return name;
  });
}
