import type { Cli } from '../../cli.js';
import { bool, type CommandSpec, type Parsed } from '../../flags.js';
import { forEach } from '../each.js';

export const spec: CommandSpec = {
  name: 'rm',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  summary: 'Remove one or more containers',
  aliases: ['container rm', 'container remove'],
  minArgs: 1,
  flags: [
    {
      name: 'force',
      short: 'f',
      type: 'bool',
      help: 'Force the removal of a running container (uses SIGKILL)',
    },
    {
      name: 'volumes',
      short: 'v',
      type: 'bool',
      help: 'Remove anonymous volumes associated with the container',
    },
  ],
};

export function run(cli: Cli, p: Parsed): Promise<number> {
  const force = bool(p, 'force');
  const v = bool(p, 'volumes');
  return forEach(cli, p.args, async (id) => {
    const name = id.replace(/^\/+/, '');
    await cli.client.containers.remove(name, { force, v });
    return name;
  });
}
