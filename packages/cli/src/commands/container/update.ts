import type { Cli } from '../../cli.js';
import { str, type CommandSpec, type Parsed } from '../../flags.js';
import { parseRestartPolicy } from '../../options/parse.js';
import { UPDATE_RESOURCE_FLAGS, updateResources } from '../../options/resource-flags.js';
import { forEach } from '../each.js';

export const spec: CommandSpec = {
  name: 'update',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  summary: 'Update configuration of one or more containers',
  aliases: ['container update'],
  minArgs: 1,
  flags: [
    ...UPDATE_RESOURCE_FLAGS,
    { name: 'restart', type: 'string', help: 'Restart policy to apply when a container exits' },
  ],
};

/** Prints each container as given once updated, then the daemon's warnings, as docker does. */
export async function run(cli: Cli, p: Parsed): Promise<number> {
  if (p.changed.size === 0) throw new Error('you must provide one or more flags when using this command');
  const restart = str(p, 'restart');
  const body = {
    ...updateResources(p),
    ...(restart === undefined ? {} : { RestartPolicy: parseRestartPolicy(restart) }),
  };
  const warnings: string[] = [];
  const status = await forEach(cli, p.args, async (id) => {
    const res = await cli.client.containers.update(id, body);
    warnings.push(...(res.Warnings ?? []));
    return id;
  });
  if (warnings.length > 0) cli.out(`${warnings.join('\n')}\n`);
  return status;
}
