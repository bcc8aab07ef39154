import type { Cli } from '../../cli.js';
import { str, type CommandSpec, type Parsed } from '../../flags.js';
import { PROJECT_FLAGS, loadBody } from './project.js';

export const spec: CommandSpec = {
  name: 'compose convert',
  usage: '--to kubernetes [OPTIONS]',
  summary: 'Print the stack as Kubernetes manifests (Deployments, Services, PersistentVolumeClaims)',
  maxArgs: 0,
  flags: [
    ...PROJECT_FLAGS,
    { name: 'to', type: 'string', help: "the target: 'kubernetes'" },
    { name: 'namespace', type: 'string', help: 'namespace written into every manifest' },
  ],
};

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const to = str(p, 'to') ?? 'kubernetes';
  if (to !== 'kubernetes') {
    cli.err(`compose convert: cannot convert to "${to}" (only "kubernetes")\n`);
    return 1;
  }
  const namespace = str(p, 'namespace');
  cli.out(await cli.client.stacks.convert(loadBody(cli, p), namespace ? { namespace } : {}));
  return 0;
}
