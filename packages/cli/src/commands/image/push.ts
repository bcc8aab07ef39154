import { parseReference, referenceString, withDefaultTag } from '@polis/sdk/engine';
import type { Cli } from '../../cli.js';
import { bool, type CommandSpec, type Parsed } from '../../flags.js';
import { showProgress, storedAuth } from './pull-image.js';

export const spec: CommandSpec = {
  name: 'push',
  usage: '[OPTIONS] NAME[:TAG]',
  summary: 'Upload an image to a registry',
  aliases: ['image push'],
  minArgs: 1,
  maxArgs: 1,
  flags: [
    { name: 'all-tags', short: 'a', type: 'bool', help: 'Push all tags of an image to the repository' },
    { name: 'quiet', short: 'q', type: 'bool', help: 'Suppress verbose output' },
  ],
};

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const name = p.args[0] as string;
  const allTags = bool(p, 'all-tags');
  let ref = parseReference(name);
  if (allTags && ref.tag !== undefined) throw new Error("tag can't be used with --all-tags/-a");
  if (!allTags) ref = withDefaultTag(ref);
  const auth = storedAuth(cli, name);
  const stream = cli.client.images.push(referenceString(ref, true), {
    allTags,
    ...(auth !== undefined ? { auth } : {}),
  });
  const quiet = bool(p, 'quiet');
  await showProgress(stream, cli.stdout, quiet);
  if (quiet) cli.out(`${referenceString(ref)}\n`);
  return 0;
}
