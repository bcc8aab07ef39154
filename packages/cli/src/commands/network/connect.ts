import type { EndpointConfig } from '@polis/sdk/engine';
import type { Cli } from '../../cli.js';
import { list, str, type CommandSpec, type Parsed } from '../../flags.js';

export const spec: CommandSpec = {
  name: 'network connect',
  usage: '[OPTIONS] NETWORK CONTAINER',
  summary: 'Connect a container to a network',
  minArgs: 2,
  maxArgs: 2,
  flags: [
    { name: 'alias', type: 'list', meta: 'strings', help: 'Add network-scoped alias for the container' },
    { name: 'ip', type: 'string', help: 'IPv4 address (e.g., "172.30.100.104")' },
  ],
};

export function endpointConfig(p: Parsed): EndpointConfig {
  const aliases = list(p, 'alias');
  const ip = str(p, 'ip');
  return {
    ...(aliases.length > 0 ? { Aliases: aliases } : {}),
    ...(ip !== undefined ? { IPAMConfig: { IPv4Address: ip } } : {}),
  };
}

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const [network, container] = p.args as [string, string];
  await cli.client.networks.connect(network, { Container: container, EndpointConfig: endpointConfig(p) });
  return 0;
}
