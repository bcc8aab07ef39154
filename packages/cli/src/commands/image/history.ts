import type { Cli } from '../../cli.js';
import { bool, str, type CommandSpec, type Parsed } from '../../flags.js';
import {
  HISTORY_HEADER,
  historyRows,
  HUMAN_HISTORY_FORMAT,
  PLAIN_HISTORY_FORMAT,
} from '../../format/history-rows.js';
import { render } from '../../format/render.js';

export const spec: CommandSpec = {
  name: 'history',
  usage: '[OPTIONS] IMAGE',
  summary: 'Show the history of an image',
  aliases: ['image history'],
  minArgs: 1,
  maxArgs: 1,
  flags: [
    {
      name: 'format',
      type: 'string',
      help: 'Format output using a custom template: table, table TEMPLATE, json, TEMPLATE',
    },
    {
      name: 'human',
      short: 'H',
      type: 'bool',
      default: true,
      help: 'Print sizes and dates in human readable format',
    },
    { name: 'no-trunc', type: 'bool', help: "Don't truncate output" },
    { name: 'quiet', short: 'q', type: 'bool', help: 'Only show image IDs' },
  ],
};

/** docker's `NewHistoryFormat`: `table` picks the quiet, plain or human layout. */
export function historyFormat(p: Parsed): string {
  const format = str(p, 'format') ?? 'table';
  if (format !== 'table') return format;
  if (bool(p, 'quiet')) return '{{.ID}}';
  return p.values.human === false ? PLAIN_HISTORY_FORMAT : HUMAN_HISTORY_FORMAT;
}

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const items = await cli.client.images.history(p.args[0] as string);
  const rows = historyRows(items, { trunc: !bool(p, 'no-trunc'), human: p.values.human !== false });
  cli.out(render(historyFormat(p), rows, HISTORY_HEADER));
  return 0;
}
