import type { Cli } from '../../cli.js';
import { UsageError } from '../../errors.js';
import { bool, list, str, type CommandSpec, type Parsed } from '../../flags.js';
import { apiTimestamp } from '../../format/units.js';
import { parseFilters } from '../filters.js';
import { runAll } from './logs-all.js';

export const spec: CommandSpec = {
  name: 'logs',
  usage: '[OPTIONS] CONTAINER | --all [--filter KEY=VALUE]',
  summary: 'Fetch the logs of a container',
  aliases: ['container logs'],
  maxArgs: 1,
  flags: [
    {
      name: 'all',
      type: 'bool',
      help: 'Logs of all containers (or those --filter selects), merged by time, each line prefixed with its name',
    },
    {
      name: 'filter',
      type: 'list',
      meta: 'filter',
      help: 'With --all: label=K=V, name=, id=, project= (compose project), status=',
    },
    { name: 'follow', short: 'f', type: 'bool', help: 'Follow log output' },
    {
      name: 'since',
      type: 'string',
      help: 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)',
    },
    {
      name: 'tail',
      short: 'n',
      type: 'string',
      help: 'Number of lines to show from the end of the logs',
      default: 'all',
    },
    { name: 'timestamps', short: 't', type: 'bool', help: 'Show timestamps' },
    {
      name: 'until',
      type: 'string',
      help: 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)',
    },
  ],
};

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const since = str(p, 'since');
  const until = str(p, 'until');
  if (bool(p, 'all')) {
    if (p.args.length > 0) throw new UsageError('--all takes no container name');
    return runAll(cli, {
      filters: parseFilters(list(p, 'filter')),
      follow: bool(p, 'follow'),
      timestamps: bool(p, 'timestamps'),
      tail: str(p, 'tail'),
      since: since === undefined ? undefined : apiTimestamp(since),
      until: until === undefined ? undefined : apiTimestamp(until),
    });
  }
  if (p.args.length !== 1) throw new UsageError('"logs" requires exactly 1 argument (or --all)');
  if (list(p, 'filter').length > 0) throw new UsageError('--filter needs --all');
  const id = p.args[0] as string;
  const output = await cli.client.containers.logs(id, {
    follow: bool(p, 'follow'),
    timestamps: bool(p, 'timestamps'),
    tail: str(p, 'tail'),
    since: since === undefined ? undefined : apiTimestamp(since),
    until: until === undefined ? undefined : apiTimestamp(until),
  });
  await output.demuxTo(cli.outSink, cli.errSink);
  return 0;
}
