import type { Cli } from '../../cli.js';
import { str, type CommandSpec, type Parsed } from '../../flags.js';
import { PROJECT_FLAGS, loadProject } from './project.js';

export const spec: CommandSpec = {
  name: 'compose config',
  usage: '[OPTIONS]',
  summary: 'Validate the compose files and print the normalised project',
  maxArgs: 0,
  flags: [
    ...PROJECT_FLAGS,
    { name: 'format', type: 'string', help: "'json' (default) — the project as polisd stores it" },
  ],
};

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const project = await loadProject(cli, p);
  void str(p, 'format');
  cli.out(JSON.stringify(project, null, 2) + '\n');
  return 0;
}
