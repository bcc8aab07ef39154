import type { Cli } from '../../cli.js';
import { bool, type CommandSpec, type Parsed } from '../../flags.js';
import { humanSize } from '../../format/units.js';
import { confirm } from '../../terminal/prompt.js';

export const spec: CommandSpec = {
  name: 'builder prune',
  usage: '[OPTIONS]',
  summary: 'Remove build cache',
  maxArgs: 0,
  flags: [
    { name: 'all', short: 'a', type: 'bool', help: 'Remove all unused build cache, not just dangling ones' },
    { name: 'force', short: 'f', type: 'bool', help: 'Do not prompt for confirmation' },
  ],
};

const WARNING = `WARNING! This will remove all dangling build cache.
Are you sure you want to continue?`;

export async function run(cli: Cli, p: Parsed): Promise<number> {
  if (!bool(p, 'force') && !(await confirm(cli.stdin, (t) => cli.out(t), WARNING))) return 0;
  const report = await cli.client.images.pruneBuildCache();
  const deleted = report.CachesDeleted ?? [];
  let text = '';
  if (deleted.length > 0)
    text += `Deleted build cache objects:\n${deleted.map((id) => `${id.slice(0, 25)}\n`).join('')}\n`;
  cli.out(`${text}Total reclaimed space: ${humanSize(report.SpaceReclaimed, 4)}\n`);
  return 0;
}
