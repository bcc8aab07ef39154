import type { Cli } from '../../cli.js';
import type { CommandSpec, Parsed } from '../../flags.js';

export const spec: CommandSpec = {
  name: 'alert test',
  usage: 'NAME',
  summary: "Send a test notice through an alert's actions (Polis only)",
  minArgs: 1,
  maxArgs: 1,
  flags: [],
};

/** Exits 1 when an action failed, so a script can check a receiver before relying on it. */
export async function run(cli: Cli, p: Parsed): Promise<number> {
  const { results } = await cli.client.alerts.test(p.args[0]!);
  for (const r of results) cli.out(`${r.action}: ${r.ok ? 'ok' : 'failed'} (${r.detail})\n`);
  if (results.length === 0) cli.out('event: published\n');
  return results.every((r) => r.ok) ? 0 : 1;
}
