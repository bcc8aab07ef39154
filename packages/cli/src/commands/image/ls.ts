import type { Cli } from '../../cli.js';
import { bool, list, str, type CommandSpec, type Parsed } from '../../flags.js';
import {
  DEFAULT_IMAGES_FORMAT,
  DIGEST_IMAGES_FORMAT,
  IMAGES_HEADER,
  imageRows,
} from '../../format/image-rows.js';
import { isTable, render } from '../../format/render.js';
import { parseFilters } from '../filters.js';

export const spec: CommandSpec = {
  name: 'images',
  usage: '[OPTIONS] [REPOSITORY[:TAG]]',
  summary: 'List images',
  aliases: ['image ls', 'image list'],
  maxArgs: 1,
  flags: [
    { name: 'all', short: 'a', type: 'bool', help: 'Show all images (default hides intermediate images)' },
    { name: 'digests', type: 'bool', help: 'Show digests' },
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
    { name: 'no-trunc', type: 'bool', help: "Don't truncate output" },
    { name: 'quiet', short: 'q', type: 'bool', help: 'Only show image IDs' },
  ],
};

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const quiet = bool(p, 'quiet');
  const digests = bool(p, 'digests');
  let format = str(p, 'format') ?? 'table';
  if (format === 'table') format = quiet ? '{{.ID}}' : digests ? DIGEST_IMAGES_FORMAT : DEFAULT_IMAGES_FORMAT;
  else if (quiet) format = '{{.ID}}';
  else if (isTable(format) && digests && !format.includes('{{.Digest}}')) format += '\t{{.Digest}}';
  const filters = parseFilters(list(p, 'filter')) ?? {};
  if (p.args[0] !== undefined) (filters.reference ??= []).push(p.args[0]);
  const images = await cli.client.images.list({
    all: bool(p, 'all'),
    digests: digests || format.includes('{{.Digest}}'),
    filters,
  });
  const rows = imageRows(
    images,
    { trunc: !bool(p, 'no-trunc'), digests: digests || format.includes('{{.Digest}}') },
    Date.now(),
  );
  cli.out(render(format, rows, IMAGES_HEADER));
  return 0;
}
