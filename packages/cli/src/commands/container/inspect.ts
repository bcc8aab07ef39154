import type { Cli } from '../../cli.js';
import type { CommandSpec, Parsed } from '../../flags.js';
import { INSPECT_FLAGS, inspectObjects } from '../inspect.js';

export const spec: CommandSpec = {
  name: 'container inspect',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  summary: 'Display detailed information on one or more containers',
  minArgs: 1,
  flags: INSPECT_FLAGS.filter((f) => f.name !== 'type'),
};

export function run(cli: Cli, p: Parsed): Promise<number> {
  return inspectObjects(cli, p, 'container');
}
