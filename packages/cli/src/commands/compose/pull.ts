import type { Cli } from '../../cli.js';
import { parseArgs, type CommandSpec, type Parsed } from '../../flags.js';
import * as pullCommand from '../image/pull.js';
import { PROJECT_FLAGS, loadProject } from './project.js';

export const spec: CommandSpec = {
  name: 'compose pull',
  usage: '[OPTIONS] [SERVICE...]',
  summary: "Pull the images of a stack's services",
  flags: [...PROJECT_FLAGS],
};

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const project = await loadProject(cli, p);
  const images = new Set<string>();
  for (const [name, svc] of Object.entries(project.services)) {
    if (p.args.length > 0 && !p.args.includes(name)) continue;
    if (typeof svc['image'] === 'string') images.add(svc['image']);
  }
  let code = 0;
  for (const image of images) {
    const rc = await pullCommand.run(cli, parseArgs(pullCommand.spec, [image]));
    if (rc !== 0) code = rc;
  }
  return code;
}
