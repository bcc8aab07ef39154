import type { Cli } from '../../cli.js';
import { bool, int, list, str, type CommandSpec, type Parsed } from '../../flags.js';
import { containerRow, DEFAULT_PS_FORMAT, PS_HEADER } from '../../format/container-rows.js';
import { render } from '../../format/render.js';
import { parseFilters } from '../filters.js';

export const spec: CommandSpec = {
  name: 'ps',
  usage: '[OPTIONS]',
  summary: 'List containers',
  aliases: ['container ls', 'container list', 'container ps'],
  maxArgs: 0,
  flags: [
    { name: 'all', short: 'a', type: 'bool', help: 'Show all containers (default shows just running)' },
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
      help: 'Format output using a custom template: table, table TEMPLATE, json, TEMPLATE',
    },
    {
      name: 'last',
      short: 'n',
      type: 'int',
      help: 'Show n last created containers (includes all states)',
      default: -1,
    },
    {
      name: 'latest',
      short: 'l',
      type: 'bool',
      help: 'Show the latest created container (includes all states)',
    },
    { name: 'no-trunc', type: 'bool', help: "Don't truncate output" },
    { name: 'quiet', short: 'q', type: 'bool', help: 'Only display container IDs' },
    { name: 'size', short: 's', type: 'bool', help: 'Display total file sizes' },
  ],
};

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const quiet = bool(p, 'quiet');
  let format = str(p, 'format') ?? '';
  let limit = int(p, 'last') ?? -1;
  if (bool(p, 'latest') && limit === -1) limit = 1;
  const size = bool(p, 'size') || format.includes('.Size');
  if (format === '' || format === 'table') {
    format = quiet ? '{{.ID}}' : DEFAULT_PS_FORMAT + (bool(p, 'size') ? '\t{{.Size}}' : '');
  } else if (quiet) format = '{{.ID}}';
  const containers = await cli.client.containers.list({
    all: bool(p, 'all'),
    limit,
    size,
    filters: parseFilters(list(p, 'filter')),
  });
  const trunc = !bool(p, 'no-trunc');
  const now = Date.now();
  cli.out(
    render(
      format,
      containers.map((c) => containerRow(c, trunc, now)),
      PS_HEADER,
    ),
  );
  return 0;
}
