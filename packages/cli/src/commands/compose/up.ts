import type { Cli } from '../../cli.js';
import { UsageError } from '../../errors.js';
import { bool, list, type CommandSpec, type Parsed } from '../../flags.js';
import { runAll } from '../container/logs-all.js';
import { buildServices } from './build-services.js';
import { PROJECT_FLAGS, loadProject } from './project.js';

export const spec: CommandSpec = {
  name: 'compose up',
  usage: '[OPTIONS] [SERVICE...]',
  summary: 'Create and start a stack; polisd keeps it at its desired state',
  flags: [
    ...PROJECT_FLAGS,
    {
      name: 'detach',
      short: 'd',
      type: 'bool',
      help: 'Return once the stack converged; without it the logs follow (Ctrl-C detaches, the stack stays)',
    },
    { name: 'scale', type: 'list', meta: 'service=n', help: 'Scale SERVICE to NUM instances' },
    { name: 'build', type: 'bool', help: 'Build images before starting containers' },
    { name: 'remove-orphans', type: 'bool', help: 'Remove containers for services not in the compose file' },
  ],
};

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const scale: Record<string, number> = {};
  for (const s of list(p, 'scale')) {
    const m = /^([^=]+)=(\d+)$/.exec(s);
    if (!m) throw new UsageError(`invalid --scale "${s}": use SERVICE=NUM`);
    scale[m[1]!] = Number(m[2]);
  }
  const project = await loadProject(cli, p);
  await buildServices(cli, project, bool(p, 'build'));
  const status = await cli.client.stacks.apply(project, { scale, removeOrphans: bool(p, 'remove-orphans') });
  for (const s of status) {
    for (const c of s.containers) cli.out(`${c.name}: ${c.status}${c.health ? ` (${c.health})` : ''}\n`);
    if (s.pending) cli.err(`${s.service}: pending: ${s.pending}\n`);
  }
  const failed = status.some((s) => s.pending?.includes('did not complete'));
  if (bool(p, 'detach') || failed) return failed ? 1 : 0;
  // polisd keeps the stack; the CLI only watches it.
  const label = [`com.docker.compose.project=${project.name}`];
  return runAll(cli, { filters: { label }, follow: true, timestamps: false });
}
