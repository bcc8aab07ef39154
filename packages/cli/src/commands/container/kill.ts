import type { Cli } from '../../cli.js';
import { str, type CommandSpec, type Parsed } from '../../flags.js';
import { forEach } from '../each.js';

export const spec: CommandSpec = {
  name: 'kill',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  summary: 'Kill one or more running containers',
  aliases: ['container kill'],
  minArgs: 1,
  flags: [{ name: 'signal', short: 's', type: 'string', help: 'Signal to send to the container' }],
};

export function run(cli: Cli, p: Parsed): Promise<number> {
  const signal = str(p, 'signal');
  return forEach(cli, p.args, async (id) => {
    await cli.client.containers.kill(id, { signal });
    return id;
  });
}
