import type { Cli } from '../../cli.js';
import { bool, type CommandSpec, type Parsed } from '../../flags.js';
import { forEach } from '../each.js';

export const spec: CommandSpec = {
  name: 'rmi',
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  summary: 'Remove one or more images',
  aliases: ['image rm', 'image remove'],
  minArgs: 1,
  flags: [
    { name: 'force', short: 'f', type: 'bool', help: 'Force removal of the image' },
    { name: 'no-prune', type: 'bool', help: 'Do not delete untagged parents' },
  ],
};

export function run(cli: Cli, p: Parsed): Promise<number> {
  const force = bool(p, 'force');
  const noprune = bool(p, 'no-prune');
  return forEach(cli, p.args, async (name) => {
    const items = await cli.client.images.remove(name, { force, noprune });
    const lines = items.map((i) =>
      i.Untagged !== undefined ? `Untagged: ${i.Untagged}` : `Deleted: ${i.Deleted}`,
    );
    return lines.length ? lines.join('\n') : undefined;
  });
}
