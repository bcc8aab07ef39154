import type { Cli } from '../../cli.js';
import type { CommandSpec, Parsed } from '../../flags.js';
import { PROJECT_FLAGS, projectName } from './project.js';

export const spec: CommandSpec = {
  name: 'compose restart',
  usage: '[OPTIONS]',
  summary: "Stop and start a stack's containers",
  maxArgs: 0,
  flags: [...PROJECT_FLAGS],
};

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const name = await projectName(cli, p);
  await cli.client.stacks.stop(name);
  await cli.client.stacks.start(name);
  return 0;
}
