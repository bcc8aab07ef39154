import type { Cli } from '../../cli.js';
import { str, type CommandSpec, type Parsed } from '../../flags.js';
import { render } from '../../format/render.js';
import { PROJECT_FLAGS, projectName } from './project.js';

export const spec: CommandSpec = {
  name: 'compose ps',
  usage: '[OPTIONS]',
  summary: 'List the services of a stack: desired and running replicas, health, last error',
  maxArgs: 0,
  flags: [
    ...PROJECT_FLAGS,
    { name: 'format', type: 'string', help: "'json' for the status as the API gives it" },
  ],
};

const FORMAT = 'table {{.Service}}\t{{.Desired}}\t{{.Running}}\t{{.Healthy}}\t{{.State}}\t{{.Containers}}';
const HEADER = {
  Service: 'SERVICE',
  Desired: 'DESIRED',
  Running: 'RUNNING',
  Healthy: 'HEALTHY',
  State: 'STATE',
  Containers: 'CONTAINERS',
};

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const stack = await cli.client.stacks.inspect(await projectName(cli, p));
  if (str(p, 'format') === 'json') {
    cli.out(JSON.stringify(stack.Services, null, 2) + '\n');
    return 0;
  }
  const rows = stack.Services.map((s) => ({
    Service: s.service,
    Desired: String(s.desired),
    Running: String(s.running),
    Healthy: String(s.healthy),
    State: s.paused
      ? `update paused: ${s.paused}`
      : s.updating
        ? `updating ${s.updating}`
        : s.pending
          ? `pending: ${s.pending}`
          : s.lastError
            ? `last error: ${s.lastError}`
            : 'ok',
    Containers: s.containers.map((c) => `${c.name} ${c.status}${c.health ? `(${c.health})` : ''}`).join(', '),
  }));
  cli.out(render(FORMAT, rows, HEADER) + '\n');
  return 0;
}
