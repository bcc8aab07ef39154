import type { Cli } from '../../cli.js';
import { bool, list, type CommandSpec, type Parsed } from '../../flags.js';
import { confirm } from '../../terminal/prompt.js';
import { parseFilters } from '../filters.js';

export const spec: CommandSpec = {
  name: 'network prune',
  usage: '[OPTIONS]',
  summary: 'Remove all unused networks',
  maxArgs: 0,
  flags: [
    {
      name: 'filter',
      type: 'list',
      meta: 'filter',
      help: 'Provide filter values (e.g. "until=<timestamp>")',
    },
    { name: 'force', short: 'f', type: 'bool', help: 'Do not prompt for confirmation' },
  ],
};

const WARNING = `WARNING! This will remove all custom networks not used by at least one container.
Are you sure you want to continue?`;

/** What docker prints: the removed networks' names under a heading, nothing when none went. */
export function pruneReport(names: string[]): string {
  return names.length === 0 ? '' : `Deleted Networks:\n${names.map((n) => `${n}\n`).join('')}`;
}

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const filters = parseFilters(list(p, 'filter'));
  if (!bool(p, 'force') && !(await confirm(cli.stdin, (t) => cli.out(t), WARNING))) return 0;
  cli.out(pruneReport(await cli.client.networks.prune(filters)));
  return 0;
}
