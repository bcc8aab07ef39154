import type { Cli } from '../../cli.js';
import type { CommandSpec, Parsed } from '../../flags.js';
import { isTerminal } from '../../terminal/terminal.js';

export const spec: CommandSpec = {
  name: 'volume restore',
  usage: 'FILE|- [VOLUME]',
  summary: 'Recreate a volume from a backup (named as in the backup unless VOLUME is given)',
  minArgs: 1,
  maxArgs: 2,
  flags: [],
};

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const [file, name] = p.args as [string, string | undefined];
  if (file === '-' && isTerminal(cli.stdin)) {
    throw new Error('requested restore from stdin, but stdin is a terminal');
  }
  const options = name === undefined ? {} : { name };
  const volume =
    file === '-'
      ? await cli.client.volumes.restore(cli.stdin, options)
      : await cli.client.volumes.restoreFile(file, options);
  cli.out(`${volume.Name}\n`);
  return 0;
}
