import type { Cli } from '../../cli.js';
import { bool, list, str, type CommandSpec, type Parsed } from '../../flags.js';
import { render } from '../../format/render.js';
import { DEFAULT_VOLUME_FORMAT, VOLUME_HEADER, volumeRow } from '../../format/volume-rows.js';
import { parseFilters } from '../filters.js';

export const spec: CommandSpec = {
  name: 'volume ls',
  usage: '[OPTIONS]',
  summary: 'List volumes',
  aliases: ['volume list'],
  maxArgs: 0,
  flags: [
    {
      name: 'filter',
      short: 'f',
      type: 'list',
      meta: 'filter',
      help: "Provide filter values (e.g. 'dangling=true')",
    },
    {
      name: 'format',
      type: 'string',
      help: 'Format output using a custom template: table, table TEMPLATE, json, TEMPLATE',
    },
    { name: 'quiet', short: 'q', type: 'bool', help: 'Only display volume names' },
  ],
};

const natural = new Intl.Collator('en', { numeric: true });

export async function run(cli: Cli, p: Parsed): Promise<number> {
  let format = str(p, 'format') ?? 'table';
  if (bool(p, 'quiet')) format = '{{.Name}}';
  else if (format === 'table') format = DEFAULT_VOLUME_FORMAT;
  const res = await cli.client.volumes.list(parseFilters(list(p, 'filter')) ?? {});
  for (const w of res.Warnings ?? []) cli.err(`${w}\n`);
  // docker sorts volumes by name.
  const volumes = [...(res.Volumes ?? [])].sort((a, b) => natural.compare(a.Name, b.Name));
  cli.out(render(format, volumes.map(volumeRow), VOLUME_HEADER));
  return 0;
}
