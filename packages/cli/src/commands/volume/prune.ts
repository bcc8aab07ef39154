import type { VolumePruneResponse } from '@polis/sdk/engine';
import type { Cli } from '../../cli.js';
import { bool, list, type CommandSpec, type Parsed } from '../../flags.js';
import { humanSize } from '../../format/units.js';
import { confirm } from '../../terminal/prompt.js';
import { parseFilters } from '../filters.js';

export const spec: CommandSpec = {
  name: 'volume prune',
  usage: '[OPTIONS]',
  summary: 'Remove unused local volumes',
  maxArgs: 0,
  flags: [
    { name: 'all', short: 'a', type: 'bool', help: 'Remove all unused volumes, not just anonymous ones' },
    { name: 'filter', type: 'list', meta: 'filter', help: 'Provide filter values (e.g. "label=<label>")' },
    { name: 'force', short: 'f', type: 'bool', help: 'Do not prompt for confirmation' },
  ],
};

// Polis speaks API 1.41, where prune takes every unused volume, named or not (as dockerd 20.10 does).
const WARNING = `WARNING! This will remove all local volumes not used by at least one container.
Are you sure you want to continue?`;

/** What docker prints for a prune report. */
export function pruneReport(report: VolumePruneResponse): string {
  const deleted = report.VolumesDeleted ?? [];
  const list = deleted.length > 0 ? `Deleted Volumes:\n${deleted.map((n) => `${n}\n`).join('')}\n` : '';
  return `${list}Total reclaimed space: ${humanSize(report.SpaceReclaimed, 4)}\n`;
}

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const filters = parseFilters(list(p, 'filter')) ?? {};
  if (bool(p, 'all')) filters.all = ['true'];
  if (!bool(p, 'force') && !(await confirm(cli.stdin, (t) => cli.out(t), WARNING))) return 0;
  cli.out(pruneReport(await cli.client.volumes.prune(filters)));
  return 0;
}
