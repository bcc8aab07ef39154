import type { Cli } from '../../cli.js';
import { bool, str, type CommandSpec, type Parsed } from '../../flags.js';
import { pipeline } from 'node:stream/promises';
import { intoFile, writeArchive } from '../../output/archive-out.js';
import { FileSink } from '../../output/file-sink.js';
import { isTerminal } from '../../terminal/terminal.js';

export const spec: CommandSpec = {
  name: 'volume backup',
  usage: '[OPTIONS] VOLUME',
  summary: 'Back up a volume to a compressed archive (streamed to STDOUT by default)',
  minArgs: 1,
  maxArgs: 1,
  flags: [
    { name: 'output', short: 'o', type: 'string', help: 'Write to a file, instead of STDOUT' },
    { name: 'pause', type: 'bool', help: 'Pause the containers using the volume while it is read' },
  ],
};

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const output = str(p, 'output');
  if (output === undefined && isTerminal(cli.stdout)) {
    throw new Error('cowardly refusing to write a backup to a terminal. Use the -o flag or redirect');
  }
  const name = p.args[0] as string;
  const options = { pause: bool(p, 'pause') };
  if (output !== undefined) {
    // Under Bun the runtime writes the answer into the file itself; elsewhere it streams through here.
    await intoFile(output, async (tmp) => {
      if (await cli.client.volumes.backupToFile(name, tmp, options)) return;
      await pipeline(await cli.client.volumes.backup(name, options), new FileSink(tmp, 0o600));
    });
    return 0;
  }
  await writeArchive(cli, await cli.client.volumes.backup(name, options), undefined);
  return 0;
}
