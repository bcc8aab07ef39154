import type { CentralLogsOptions } from '@polis/sdk/engine';
import type { Cli } from '../../cli.js';

// docker-compose's palette: one colour per container, in order of first appearance.
const COLOURS = [36, 33, 32, 35, 34, 96, 93, 92, 95, 94];

/**
 * `polis logs --all`: the central log, printed as docker-compose prints it, `name | line` with the
 * names padded to one width (known lines only: a container joined later may widen it), coloured
 * only on a terminal.
 */
export async function runAll(
  cli: Cli,
  options: CentralLogsOptions & { timestamps: boolean },
): Promise<number> {
  const { timestamps, ...query } = options;
  const lines = await cli.client.containers.centralLogs(query);
  const out = cli.stdout as NodeJS.WritableStream & { isTTY?: boolean };
  const colour = out.isTTY === true && !process.env.NO_COLOR;
  const colours = new Map<string, number>();
  let width = 0;
  for await (const l of lines) {
    width = Math.max(width, l.name.length);
    if (!colours.has(l.name)) colours.set(l.name, COLOURS[colours.size % COLOURS.length] as number);
    const prefix = `${l.name.padEnd(width)} | `;
    const text = `${timestamps ? `${l.time} ` : ''}${l.line}${l.partial ? '' : '\n'}`;
    const shown = colour ? `\x1b[${colours.get(l.name)}m${prefix}\x1b[0m${text}` : `${prefix}${text}`;
    if (!out.write(shown)) await new Promise((r) => out.once('drain', r));
  }
  return 0;
}
