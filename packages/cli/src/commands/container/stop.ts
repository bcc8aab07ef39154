import type { Cli } from '../../cli.js';
import { int, str, type CommandSpec, type Parsed } from '../../flags.js';
import { forEach } from '../each.js';

export const spec: CommandSpec = {
  name: 'stop',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  summary: 'Stop one or more running containers',
  aliases: ['container stop'],
  minArgs: 1,
  flags: [
    { name: 'signal', short: 's', type: 'string', help: 'Signal to send to the container' },
    { name: 'time', short: 't', type: 'int', help: 'Seconds to wait before killing the container' },
  ],
};

export function run(cli: Cli, p: Parsed): Promise<number> {
  const t = int(p, 'time');
  const signal = str(p, 'signal');
  return forEach(cli, p.args, async (id) => {
    await cli.client.containers.stop(id, { t, signal });
    return id;
  });
}
