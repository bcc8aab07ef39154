import type { Cli } from '../../cli.js';
import type { CommandSpec, Parsed } from '../../flags.js';
import { PROJECT_FLAGS, projectName } from './project.js';

export const spec: CommandSpec = {
  name: 'compose stop',
  usage: '[OPTIONS]',
  summary: "Stop a stack's containers; polisd keeps them stopped",
  maxArgs: 0,
  flags: [...PROJECT_FLAGS],
};

export async function run(cli: Cli, p: Parsed): Promise<number> {
  await cli.client.stacks.stop(await projectName(cli, p));
  return 0;
}
