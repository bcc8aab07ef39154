import type { VolumeSyncResponse } from '@polis/sdk/engine';
import type { Cli } from '../../cli.js';
import { bool, type CommandSpec, type Parsed } from '../../flags.js';
import { humanSize } from '../../format/units.js';

export const spec: CommandSpec = {
  name: 'volume sync',
  usage: '[OPTIONS] SOURCE DESTINATION',
  summary: 'Copy into a volume what changed in another (Polis only)',
  minArgs: 2,
  maxArgs: 2,
  flags: [
    { name: 'checksum', short: 'c', type: 'bool', help: 'Compare files by content, not size and mtime' },
    { name: 'delete', type: 'bool', help: 'Remove from DESTINATION what SOURCE no longer has' },
    { name: 'dry-run', short: 'n', type: 'bool', help: 'Show what would be done, change nothing' },
  ],
};

/** The lines `polis volume sync` prints: a dry run's actions, then one summary line. */
export function syncReport(r: VolumeSyncResponse): string {
  const actions = (r.Actions ?? []).map((a) => `${a.Action} ${a.Path === '' ? '.' : a.Path}\n`).join('');
  const parts = [
    `${r.Copied} copied (${humanSize(r.CopiedBytes)})`,
    `${r.Updated} updated`,
    `${r.Deleted} deleted`,
    `${r.Unchanged} unchanged`,
    ...(r.Skipped > 0 ? [`${r.Skipped} skipped (sockets)`] : []),
  ];
  const verb = r.DryRun ? 'Would sync' : 'Synced';
  const made = r.Created ? ' (created)' : '';
  return `${actions}${verb} ${r.Source} into ${r.Destination}${made}: ${parts.join(', ')}\n`;
}

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const [source, destination] = p.args as [string, string];
  const result = await cli.client.volumes.sync(source, destination, {
    checksum: bool(p, 'checksum'),
    delete: bool(p, 'delete'),
    dryRun: bool(p, 'dry-run'),
  });
  cli.out(syncReport(result));
  return 0;
}
