import type { Cli } from '../../cli.js';
import { bool, type CommandSpec, type Parsed } from '../../flags.js';

export const spec: CommandSpec = {
  name: 'network disconnect',
  usage: '[OPTIONS] NETWORK CONTAINER',
  summary: 'Disconnect a container from a network',
  minArgs: 2,
  maxArgs: 2,
  flags: [
    { name: 'force', short: 'f', type: 'bool', help: 'Force the container to disconnect from a network' },
  ],
};

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const [network, container] = p.args as [string, string];
  await cli.client.networks.disconnect(network, { Container: container, Force: bool(p, 'force') });
  return 0;
}
