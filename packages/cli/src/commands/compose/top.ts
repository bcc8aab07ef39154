import type { Cli } from '../../cli.js';
import type { CommandSpec, Parsed } from '../../flags.js';
import { topTable } from '../../format/top.js';
import { PROJECT_FLAGS, projectName } from './project.js';

export const spec: CommandSpec = {
  name: 'compose top',
  usage: '[OPTIONS] [SERVICE...]',
  summary: "The processes of a stack's running containers",
  flags: [...PROJECT_FLAGS],
};

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const stack = await cli.client.stacks.inspect(await projectName(cli, p));
  for (const s of stack.Services) {
    if (p.args.length > 0 && !p.args.includes(s.service)) continue;
    for (const c of s.containers.filter((x) => x.status === 'running')) {
      cli.out(`${c.name}\n${topTable(await cli.client.containers.top(c.id))}\n`);
    }
  }
  return 0;
}
