import type { Cli } from '../../cli.js';
import type { CommandSpec, Parsed } from '../../flags.js';
import { PROJECT_FLAGS, projectName } from './project.js';

export const spec: CommandSpec = {
  name: 'compose rollback',
  usage: '[OPTIONS] SERVICE',
  summary: "Restore a service's previous configuration (rolling, by its rollback_config)",
  minArgs: 1,
  maxArgs: 1,
  flags: [...PROJECT_FLAGS],
};

export async function run(cli: Cli, p: Parsed): Promise<number> {
  await cli.client.stacks.rollback(await projectName(cli, p), p.args[0]!);
  return 0;
}
