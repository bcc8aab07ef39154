import type { Cli } from '../../cli.js';
import { describe } from '../../errors.js';
import type { CommandSpec, Parsed } from '../../flags.js';
import { CONTAINER_FLAGS } from '../../options/container-flags.js';
import { createContainer, createRequest, pullOptions, reportRunError } from './create-container.js';

export const spec: CommandSpec = {
  name: 'create',
  usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
  summary: 'Create a new container',
  aliases: ['container create'],
  interspersed: false,
  minArgs: 1,
  flags: CONTAINER_FLAGS,
};

export async function run(cli: Cli, p: Parsed): Promise<number> {
  let req;
  let pull;
  try {
    req = createRequest(cli, p, false);
    pull = pullOptions(p);
  } catch (err) {
    reportRunError(cli, 'create', (err as Error).message);
    return 125;
  }
  try {
    cli.out(`${await createContainer(cli, req, pull)}\n`);
    return 0;
  } catch (err) {
    reportRunError(cli, 'create', describe(err));
    return 125;
  }
}
