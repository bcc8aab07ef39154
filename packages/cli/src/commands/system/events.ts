import type { Cli } from '../../cli.js';
import { list, str, type CommandSpec, type Parsed } from '../../flags.js';
import { eventContext, eventLine } from '../../format/events.js';
import { FUNCTIONS } from '../../format/functions.js';
import { Template } from '../../format/template.js';
import { apiTimestamp } from '../../format/units.js';
import { parseFilters } from '../filters.js';

export const spec: CommandSpec = {
  name: 'events',
  usage: '[OPTIONS]',
  summary: 'Get real time events from the server',
  aliases: ['system events'],
  maxArgs: 0,
  flags: [
    {
      name: 'filter',
      short: 'f',
      type: 'list',
      meta: 'filter',
      help: 'Filter output based on conditions provided',
    },
    {
      name: 'format',
      type: 'string',
      help: "Format output using a custom template: 'json' or a Go template",
    },
    { name: 'since', type: 'string', help: 'Show all events created since timestamp' },
    { name: 'until', type: 'string', help: 'Stream events until this timestamp' },
  ],
};

/** Past events from `--since`, then live ones until `--until` (or until interrupted), one per line. */
export async function run(cli: Cli, p: Parsed): Promise<number> {
  const format = str(p, 'format') ?? '';
  const tmpl = format === '' ? undefined : Template.parse(format === 'json' ? '{{json .}}' : format);
  // As docker: a template naming a field events lack fails before anything is streamed.
  tmpl?.execute(eventContext({}), FUNCTIONS);
  const since = str(p, 'since');
  const until = str(p, 'until');
  const events = cli.client.events({
    since: since === undefined ? undefined : apiTimestamp(since),
    until: until === undefined ? undefined : apiTimestamp(until),
    filters: parseFilters(list(p, 'filter')),
  });
  for await (const e of events) {
    cli.out(tmpl ? `${tmpl.execute(eventContext(e), FUNCTIONS)}\n` : eventLine(e));
  }
  return 0;
}
