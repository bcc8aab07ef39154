import type { Cli } from '../../cli.js';
import { bool, type CommandSpec, type Parsed } from '../../flags.js';
import { PROJECT_FLAGS, projectName } from './project.js';

export const spec: CommandSpec = {
  name: 'compose down',
  usage: '[OPTIONS]',
  summary: "Stop and remove a stack's containers and networks (and with -v its volumes)",
  maxArgs: 0,
  flags: [
    ...PROJECT_FLAGS,
    {
      name: 'volumes',
      short: 'v',
      type: 'bool',
      help: 'Remove named volumes declared in the volumes section',
    },
    {
      name: 'remove-orphans',
      type: 'bool',
      help: 'Accepted for docker-compose compatibility (all of the project goes)',
    },
  ],
};

export async function run(cli: Cli, p: Parsed): Promise<number> {
  await cli.client.stacks.remove(await projectName(cli, p), { volumes: bool(p, 'volumes') });
  return 0;
}
