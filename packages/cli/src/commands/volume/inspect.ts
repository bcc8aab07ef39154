import type { Cli } from '../../cli.js';
import type { CommandSpec, Parsed } from '../../flags.js';
import { INSPECT_FLAGS, inspectObjects } from '../inspect.js';

export const spec: CommandSpec = {
  name: 'volume inspect',
  usage: '[OPTIONS] VOLUME [VOLUME...]',
  summary: 'Display detailed information on one or more volumes',
  minArgs: 1,
  flags: INSPECT_FLAGS.filter((f) => f.name === 'format'),
};

export function run(cli: Cli, p: Parsed): Promise<number> {
  return inspectObjects(cli, p, 'volume');
}
