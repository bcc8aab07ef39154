import type { Cli } from '../../cli.js';
import { str, type CommandSpec, type Parsed } from '../../flags.js';
import { PROJECT_FLAGS, loadBody } from './project.js';

export const spec: CommandSpec = {
  name: 'compose config',
  usage: '[OPTIONS]',
  summary: 'Validate the compose files and print the normalised project',
  maxArgs: 0,
  flags: [...PROJECT_FLAGS, { name: 'format', type: 'string', help: "'yaml' (default) or 'json'" }],
};

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const body = loadBody(cli, p);
  if (str(p, 'format') === 'json')
    cli.out(JSON.stringify(await cli.client.stacks.load(body), null, 2) + '\n');
  else cli.out(await cli.client.stacks.loadYaml(body));
  return 0;
}
