import type { Cli } from '../../cli.js';
import { bool, type CommandSpec, type Parsed } from '../../flags.js';
import { runAll } from '../container/logs-all.js';
import { PROJECT_FLAGS, projectName } from './project.js';

export const spec: CommandSpec = {
  name: 'compose logs',
  usage: '[OPTIONS] [SERVICE...]',
  summary: "A stack's logs, each line prefixed with its container",
  flags: [
    ...PROJECT_FLAGS,
    { name: 'follow', short: 'f', type: 'bool', help: 'Follow log output' },
    { name: 'timestamps', short: 't', type: 'bool', help: 'Show timestamps' },
  ],
};

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const name = await projectName(cli, p);
  const label = [
    `com.docker.compose.project=${name}`,
    ...p.args.map((s) => `com.docker.compose.service=${s}`),
  ];
  // One service per request: the label filter is an AND of its values.
  if (p.args.length > 1) label.splice(1);
  return runAll(cli, { filters: { label }, follow: bool(p, 'follow'), timestamps: bool(p, 'timestamps') });
}
