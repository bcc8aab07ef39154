import type { Cli } from '../../cli.js';
import type { CommandSpec, Parsed } from '../../flags.js';
import { forEach } from '../each.js';

export const spec: CommandSpec = {
  name: 'wait',
  usage: 'CONTAINER [CONTAINER...]',
  summary: 'Block until one or more containers stop, then print their exit codes',
  aliases: ['container wait'],
  minArgs: 1,
  flags: [],
};

export function run(cli: Cli, p: Parsed): Promise<number> {
  return forEach(cli, p.args, async (id) => {
    const r = await cli.client.containers.wait(id);
    if (r.Error?.Message) throw new Error(r.Error.Message);
    return String(r.StatusCode);
  });
}
