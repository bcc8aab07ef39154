import type { Cli } from '../../cli.js';
import { bool, list, str, type CommandSpec, type Parsed } from '../../flags.js';
import { DEFAULT_NETWORK_FORMAT, NETWORK_HEADER, networkRow, sortByName } from '../../format/network-rows.js';
import { render } from '../../format/render.js';
import { parseFilters } from '../filters.js';

export const spec: CommandSpec = {
  name: 'network ls',
  usage: '[OPTIONS]',
  summary: 'List networks',
  aliases: ['network list'],
  maxArgs: 0,
  flags: [
    {
      name: 'filter',
      short: 'f',
      type: 'list',
      meta: 'filter',
      help: 'Provide filter values (e.g. "driver=bridge")',
    },
    {
      name: 'format',
      type: 'string',
      help: 'Format output using a custom template: table, table TEMPLATE, json, TEMPLATE',
    },
    { name: 'no-trunc', type: 'bool', help: 'Do not truncate the output' },
    { name: 'quiet', short: 'q', type: 'bool', help: 'Only display network IDs' },
  ],
};

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const quiet = bool(p, 'quiet');
  let format = str(p, 'format') ?? 'table';
  if (quiet) format = '{{.ID}}';
  else if (format === 'table') format = DEFAULT_NETWORK_FORMAT;
  const networks = await cli.client.networks.list({ filters: parseFilters(list(p, 'filter')) ?? {} });
  const trunc = !bool(p, 'no-trunc');
  cli.out(
    render(
      format,
      sortByName(networks).map((n) => networkRow(n, trunc)),
      NETWORK_HEADER,
    ),
  );
  return 0;
}
