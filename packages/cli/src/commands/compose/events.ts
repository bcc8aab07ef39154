import type { Cli } from '../../cli.js';
import { parseArgs, str, type CommandSpec, type Parsed } from '../../flags.js';
import * as eventsCommand from '../system/events.js';
import { PROJECT_FLAGS, projectName } from './project.js';

export const spec: CommandSpec = {
  name: 'compose events',
  usage: '[OPTIONS]',
  summary: "A stack's events: the controller's (type=stack) and its containers'",
  maxArgs: 0,
  flags: [
    ...PROJECT_FLAGS,
    { name: 'since', type: 'string', help: 'Show events created since timestamp' },
    { name: 'until', type: 'string', help: 'Stream events until this timestamp' },
    { name: 'format', type: 'string', help: 'Format the output using the given Go template' },
  ],
};

/** `polis events` with the project's label: stack events carry it as containers do. */
export async function run(cli: Cli, p: Parsed): Promise<number> {
  const argv = ['--filter', `label=com.docker.compose.project=${await projectName(cli, p)}`];
  for (const flag of ['since', 'until', 'format']) {
    const v = str(p, flag);
    if (v !== undefined) argv.push(`--${flag}`, v);
  }
  return eventsCommand.run(cli, parseArgs(eventsCommand.spec, argv));
}
