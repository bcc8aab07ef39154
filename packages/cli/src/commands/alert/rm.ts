import type { Cli } from '../../cli.js';
import type { CommandSpec, Parsed } from '../../flags.js';
import { forEach } from '../each.js';

export const spec: CommandSpec = {
  name: 'alert rm',
  usage: 'NAME [NAME...]',
  summary: 'Remove alert rules (Polis only)',
  aliases: ['alert remove'],
  minArgs: 1,
  flags: [],
};

export function run(cli: Cli, p: Parsed): Promise<number> {
  return forEach(cli, p.args, async (name) => {
    await cli.client.alerts.remove(name);
    return name;
  });
}
