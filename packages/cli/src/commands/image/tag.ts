import type { Cli } from '../../cli.js';
import type { CommandSpec, Parsed } from '../../flags.js';
import { splitReference } from '../../format/reference.js';

export const spec: CommandSpec = {
  name: 'tag',
  usage: 'SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]',
  summary: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE',
  aliases: ['image tag'],
  minArgs: 2,
  maxArgs: 2,
  flags: [],
};

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const [source, target] = p.args as [string, string];
  const ref = splitReference(target);
  if (ref.digest !== undefined) throw new Error(`refusing to create a tag with a digest reference`);
  await cli.client.images.tag(source, ref.name, ref.tag ?? 'latest');
  return 0;
}
