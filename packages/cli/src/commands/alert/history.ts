import type { Cli } from '../../cli.js';
import { int, str, type CommandSpec, type Parsed } from '../../flags.js';
import { render } from '../../format/render.js';

export const spec: CommandSpec = {
  name: 'alert history',
  usage: '[OPTIONS] [RULE]',
  summary: 'Show alert firings, resolves and delivery attempts (Polis only)',
  maxArgs: 1,
  flags: [
    { name: 'limit', short: 'n', type: 'int', default: 50, help: 'Number of entries (newest first)' },
    { name: 'format', type: 'string', help: "'json' for the entries as the API gives them" },
  ],
};

const FORMAT = 'table {{.Time}}\t{{.Rule}}\t{{.Subject}}\t{{.Kind}}\t{{.Detail}}';
const HEADER = { Time: 'TIME', Rule: 'RULE', Subject: 'SUBJECT', Kind: 'EVENT', Detail: 'DETAIL' };

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const rule = p.args[0];
  const entries = await cli.client.alerts.history({
    ...(rule ? { rule } : {}),
    limit: int(p, 'limit') ?? 50,
  });
  if (str(p, 'format') === 'json') {
    cli.out(JSON.stringify(entries, null, 2) + '\n');
    return 0;
  }
  const rows = entries.map((e) => ({
    Time: e.time,
    Rule: e.rule,
    Subject: e.subject.slice(0, 12),
    Kind: e.attempt !== undefined ? `${e.kind} (${e.action} #${e.attempt})` : e.kind,
    Detail: e.detail,
  }));
  cli.out(render(FORMAT, rows, HEADER) + '\n');
  return 0;
}
