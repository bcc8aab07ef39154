import type { ContainerStats } from '@polis/sdk/engine';
import type { Cli } from '../../cli.js';
import { bool, str, type CommandSpec, type Parsed } from '../../flags.js';
import { render } from '../../format/render.js';
import { DEFAULT_STATS_FORMAT, STATS_HEADER, statsRow } from '../../format/stats-rows.js';

export const spec: CommandSpec = {
  name: 'stats',
  usage: '[OPTIONS] [CONTAINER...]',
  summary: 'Display a live stream of container(s) resource usage statistics',
  aliases: ['container stats'],
  flags: [
    { name: 'all', short: 'a', type: 'bool', help: 'Show all containers (default shows just running)' },
    {
      name: 'format',
      type: 'string',
      help: 'Pretty-print images using a Go template: table, table TEMPLATE, json, TEMPLATE',
    },
    { name: 'no-stream', type: 'bool', help: 'Disable streaming stats and only pull the first result' },
    { name: 'no-trunc', type: 'bool', help: 'Do not truncate output' },
  ],
};

/** How often the table is drawn again, and how often the container list is read when none is named. */
const DRAW_MS = 500;
const RELIST_MS = 2000;
const CLEAR = '\x1b[2J\x1b[H';

interface Shown {
  /** What the user named it by (or its id). */
  label: string;
  latest?: ContainerStats;
  stop?: AbortController;
}

async function listed(cli: Cli, all: boolean): Promise<{ id: string; label: string }[]> {
  const list = await cli.client.containers.list({ all });
  return list.map((c) => ({ id: c.Id, label: c.Id }));
}

export async function run(cli: Cli, p: Parsed): Promise<number> {
  let format = str(p, 'format') ?? 'table';
  if (format === 'table') format = DEFAULT_STATS_FORMAT;
  const noTrunc = bool(p, 'no-trunc');
  const named = p.args.length > 0;
  // Named containers must exist (docker stops with "No such container").
  const targets = named
    ? await Promise.all(
        p.args.map(async (a) => ({ id: (await cli.client.containers.inspect(a)).Id, label: a })),
      )
    : await listed(cli, bool(p, 'all'));
  const draw = (shown: Iterable<Shown>): string =>
    render(
      format,
      [...shown].flatMap((s) => (s.latest ? [statsRow(s.latest, s.label, noTrunc)] : [])),
      STATS_HEADER,
    );

  if (bool(p, 'no-stream')) {
    const results = await Promise.all(
      targets.map(async (t) => ({ label: t.label, latest: await cli.client.containers.stats(t.id) })),
    );
    cli.out(draw(results));
    return 0;
  }

  const shown = new Map<string, Shown>();
  const follow = (id: string, label: string): void => {
    if (shown.has(id)) return;
    const entry: Shown = { label, stop: new AbortController() };
    shown.set(id, entry);
    void (async () => {
      try {
        for await (const s of cli.client.containers.statsStream(id, { signal: entry.stop!.signal }))
          entry.latest = s;
      } catch {
        // The container went away: drop its row (a named one stays, as docker keeps it).
      }
      if (!named) shown.delete(id);
    })();
  };
  for (const t of targets) follow(t.id, t.label);
  let lastList = Date.now();
  for (;;) {
    await new Promise((r) => setTimeout(r, DRAW_MS));
    if (!named && Date.now() - lastList >= RELIST_MS) {
      lastList = Date.now();
      const now = await listed(cli, bool(p, 'all'));
      const ids = new Set(now.map((t) => t.id));
      for (const [id, s] of shown) {
        if (!ids.has(id)) {
          s.stop?.abort();
          shown.delete(id);
        }
      }
      for (const t of now) follow(t.id, t.label);
    }
    cli.out(CLEAR + draw(shown.values()));
  }
}
