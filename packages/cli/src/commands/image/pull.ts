import { parseReference, referenceString, withDefaultTag } from '@polis/sdk/engine';
import type { Cli } from '../../cli.js';
import { bool, str, type CommandSpec, type Parsed } from '../../flags.js';
import { pullImage } from './pull-image.js';

export const spec: CommandSpec = {
  name: 'pull',
  usage: '[OPTIONS] NAME[:TAG|@DIGEST]',
  summary: 'Download an image from a registry',
  aliases: ['image pull'],
  minArgs: 1,
  maxArgs: 1,
  flags: [
    { name: 'platform', type: 'string', help: 'Set platform if server is multi-platform capable' },
    { name: 'quiet', short: 'q', type: 'bool', help: 'Suppress verbose output' },
  ],
};

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const ref = withDefaultTag(parseReference(p.args[0] as string));
  const platform = str(p, 'platform');
  await pullImage(cli, referenceString(ref, true), cli.stdout, {
    quiet: bool(p, 'quiet'),
    ...(platform !== undefined ? { platform } : {}),
  });
  // docker names what it pulled, fully qualified, last.
  cli.out(`${referenceString(ref)}\n`);
  return 0;
}
