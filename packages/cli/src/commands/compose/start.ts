import type { Cli } from '../../cli.js';
import type { CommandSpec, Parsed } from '../../flags.js';
import { PROJECT_FLAGS, projectName } from './project.js';

export const spec: CommandSpec = {
  name: 'compose start',
  usage: '[OPTIONS]',
  summary: 'Start a stopped stack again',
  maxArgs: 0,
  flags: [...PROJECT_FLAGS],
};

export async function run(cli: Cli, p: Parsed): Promise<number> {
  await cli.client.stacks.start(await projectName(cli, p));
  return 0;
}
