import type { Cli } from '../../cli.js';
import type { CommandSpec, Parsed } from '../../flags.js';
import { topTable } from '../../format/top.js';

export const spec: CommandSpec = {
  name: 'top',
  usage: 'CONTAINER [ps OPTIONS]',
  summary: 'Display the running processes of a container',
  aliases: ['container top'],
  minArgs: 1,
  // Everything after the container is for ps (`polis top web -o pid,args`).
  interspersed: false,
  flags: [],
};

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const [id, ...psArgs] = p.args as [string, ...string[]];
  const top = await cli.client.containers.top(id, {
    psArgs: psArgs.length > 0 ? psArgs.join(' ') : undefined,
  });
  cli.out(topTable(top));
  return 0;
}
