import type { ImagePruneResponse } from '@polis/sdk/engine';
import type { Cli } from '../../cli.js';
import { bool, list, type CommandSpec, type Parsed } from '../../flags.js';
import { humanSize } from '../../format/units.js';
import { confirm } from '../../terminal/prompt.js';
import { parseFilters } from '../filters.js';

export const spec: CommandSpec = {
  name: 'image prune',
  usage: '[OPTIONS]',
  summary: 'Remove unused images',
  maxArgs: 0,
  flags: [
    { name: 'all', short: 'a', type: 'bool', help: 'Remove all unused images, not just dangling ones' },
    {
      name: 'filter',
      type: 'list',
      meta: 'filter',
      help: 'Provide filter values (e.g. "until=<timestamp>")',
    },
    { name: 'force', short: 'f', type: 'bool', help: 'Do not prompt for confirmation' },
  ],
};

const DANGLING_WARNING = `WARNING! This will remove all dangling images.
Are you sure you want to continue?`;
const ALL_WARNING = `WARNING! This will remove all images without at least one container associated to them.
Are you sure you want to continue?`;

/** docker's filters: the given ones plus `dangling=true` (or `false` with `--all`). */
export function pruneFilters(p: Parsed): Record<string, string[]> {
  const filters = parseFilters(list(p, 'filter')) ?? {};
  (filters.dangling ??= []).push(String(!bool(p, 'all')));
  return filters;
}

/** What docker prints for a prune report. */
export function pruneReport(report: ImagePruneResponse): string {
  let text = '';
  const deleted = report.ImagesDeleted ?? [];
  if (deleted.length > 0) {
    text += 'Deleted Images:\n';
    for (const item of deleted) {
      text += item.Untagged ? `untagged: ${item.Untagged}\n` : `deleted: ${item.Deleted ?? ''}\n`;
    }
    text += '\n';
  }
  return `${text}Total reclaimed space: ${humanSize(report.SpaceReclaimed, 4)}\n`;
}

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const filters = pruneFilters(p);
  if (!bool(p, 'force')) {
    const warning = bool(p, 'all') ? ALL_WARNING : DANGLING_WARNING;
    if (!(await confirm(cli.stdin, (t) => cli.out(t), warning))) {
      cli.out(pruneReport({ ImagesDeleted: [], SpaceReclaimed: 0 }));
      return 0;
    }
  }
  cli.out(pruneReport(await cli.client.images.prune(filters)));
  return 0;
}
