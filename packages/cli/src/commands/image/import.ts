import { createReadStream } from 'node:fs';
import type { Cli } from '../../cli.js';
import { list, str, type CommandSpec, type Parsed } from '../../flags.js';
import { repoAndTag } from '../../format/reference.js';

export const spec: CommandSpec = {
  name: 'import',
  usage: '[OPTIONS] file|URL|- [REPOSITORY[:TAG]]',
  summary: 'Import the contents from a tarball to create a filesystem image',
  aliases: ['image import'],
  minArgs: 1,
  maxArgs: 2,
  flags: [
    { name: 'change', short: 'c', type: 'list', help: 'Apply Dockerfile instruction to the created image' },
    { name: 'message', short: 'm', type: 'string', help: 'Set commit message for imported image' },
    { name: 'platform', type: 'string', help: 'Set platform if server is multi-platform capable' },
  ],
};

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const [source, reference] = p.args as [string, string | undefined];
  const { repo, tag } = repoAndTag(reference);
  const url = /^https?:\/\//.test(source);
  const body = url ? undefined : source === '-' ? cli.stdin : createReadStream(source);
  const { id } = await cli.client.images.import(body, {
    fromSrc: url ? source : '-',
    repo,
    tag,
    message: str(p, 'message'),
    changes: list(p, 'change'),
    platform: str(p, 'platform'),
  });
  cli.out(`${id}\n`);
  return 0;
}
