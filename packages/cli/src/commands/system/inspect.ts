import type { Cli } from '../../cli.js';
import type { CommandSpec, Parsed } from '../../flags.js';
import { INSPECT_FLAGS, inspectObjects } from '../inspect.js';

export const spec: CommandSpec = {
  name: 'inspect',
  usage: '[OPTIONS] NAME|ID [NAME|ID...]',
  summary: 'Return low-level information on Polis objects',
  minArgs: 1,
  flags: INSPECT_FLAGS,
};

export function run(cli: Cli, p: Parsed): Promise<number> {
  return inspectObjects(cli, p);
}
