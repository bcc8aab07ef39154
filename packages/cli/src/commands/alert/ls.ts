import type { Cli } from '../../cli.js';
import { str, type CommandSpec, type Parsed } from '../../flags.js';
import { render } from '../../format/render.js';

export const spec: CommandSpec = {
  name: 'alert ls',
  usage: '[OPTIONS]',
  summary: 'List alert rules and what fires now (Polis only)',
  aliases: ['alert list'],
  maxArgs: 0,
  flags: [{ name: 'format', type: 'string', help: "'json' for the rules as the API gives them" }],
};

const FORMAT = 'table {{.Name}}\t{{.On}}\t{{.For}}\t{{.Actions}}\t{{.Source}}\t{{.Firing}}';
const HEADER = {
  Name: 'NAME',
  On: 'CONDITION',
  For: 'FOR',
  Actions: 'ACTIONS',
  Source: 'SOURCE',
  Firing: 'FIRING',
};

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const rules = await cli.client.alerts.list();
  if (str(p, 'format') === 'json') {
    cli.out(JSON.stringify(rules, null, 2) + '\n');
    return 0;
  }
  const rows = rules.map((r) => ({
    Name: r.name,
    On: r.on,
    For: r.for ?? '',
    Actions: [
      r.webhook ? `webhook${r.secret ? ' (signed)' : ''} ${r.webhook}` : '',
      r.exec ? `exec ${r.exec}` : '',
      r.event ? 'event' : '',
    ]
      .filter(Boolean)
      .join(', '),
    Source: r.source,
    Firing: r.firing.length === 0 ? '-' : r.firing.map((f) => f.subject.slice(0, 12)).join(','),
  }));
  cli.out(render(FORMAT, rows, HEADER) + '\n');
  return 0;
}
