import type { HealthReport } from '@polis/sdk/engine';
import type { Cli } from '../../cli.js';
import { str, type CommandSpec, type Parsed } from '../../flags.js';
import { render } from '../../format/render.js';

export const spec: CommandSpec = {
  name: 'system health',
  usage: '[OPTIONS]',
  summary: "Show the health of Polis's components (Polis only)",
  maxArgs: 0,
  flags: [{ name: 'format', type: 'string', help: "'json' for the report as the API gives it" }],
};

const FORMAT = 'table {{.Component}}\t{{.Check}}\t{{.Status}}\t{{.Message}}';
const HEADER = { Component: 'COMPONENT', Check: 'CHECK', Status: 'STATUS', Message: 'MESSAGE' };

/** One row per check; a failing check's remedy follows its message. */
export function healthRows(report: HealthReport): object[] {
  return report.components.flatMap((c) =>
    c.checks.map((k) => ({
      Component: c.name,
      Check: k.name,
      Status: k.status,
      Message: k.remedy ? `${k.message} → ${k.remedy}` : k.message,
    })),
  );
}

/** Exits 1 when unhealthy (scripts and probes can use the code); degraded still exits 0. */
export async function run(cli: Cli, p: Parsed): Promise<number> {
  const report = await cli.client.health();
  const format = str(p, 'format');
  if (format === 'json') cli.out(JSON.stringify(report, null, 2) + '\n');
  else if (format !== undefined && format !== '' && format !== 'table') {
    cli.err(`unknown --format ${format}: use json or table\n`);
    return 125;
  } else cli.out(render(FORMAT, healthRows(report), HEADER) + `\nOverall: ${report.status}\n`);
  return report.status === 'unhealthy' ? 1 : 0;
}
