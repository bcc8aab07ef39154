import type { Cli } from '../../cli.js';
import { bool, list, str, type CommandSpec, type Parsed } from '../../flags.js';
import { repoAndTag } from '../../format/reference.js';

export const spec: CommandSpec = {
  name: 'commit',
  usage: '[OPTIONS] CONTAINER [REPOSITORY[:TAG]]',
  summary: "Create a new image from a container's changes",
  aliases: ['container commit'],
  minArgs: 1,
  maxArgs: 2,
  flags: [
    {
      name: 'author',
      short: 'a',
      type: 'string',
      help: 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")',
    },
    { name: 'change', short: 'c', type: 'list', help: 'Apply Dockerfile instruction to the created image' },
    { name: 'message', short: 'm', type: 'string', help: 'Commit message' },
    {
      name: 'pause',
      short: 'p',
      type: 'bool',
      help: 'Pause container during commit',
      default: true,
    },
  ],
};

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const [container, reference] = p.args as [string, string | undefined];
  const { repo, tag } = repoAndTag(reference);
  const id = await cli.client.containers.commit(container, {
    repo,
    tag,
    comment: str(p, 'message'),
    author: str(p, 'author'),
    changes: list(p, 'change'),
    pause: bool(p, 'pause'),
  });
  cli.out(`${id}\n`);
  return 0;
}
