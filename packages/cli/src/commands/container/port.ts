import type { Cli } from '../../cli.js';
import type { CommandSpec, Parsed } from '../../flags.js';
import { hostAddress } from '../../format/network-rows.js';

export const spec: CommandSpec = {
  name: 'port',
  usage: 'CONTAINER [PRIVATE_PORT[/PROTO]]',
  summary: 'List port mappings or a specific mapping for the container',
  aliases: ['container port'],
  minArgs: 1,
  maxArgs: 2,
  flags: [],
};

/** docker's output: `80/tcp -> 0.0.0.0:8080` per binding, or only the host side for one port. */
export async function run(cli: Cli, p: Parsed): Promise<number> {
  const [container, wanted] = p.args as [string, string | undefined];
  if (wanted !== undefined) {
    const [port = '', proto = 'tcp', ...rest] = wanted.split('/');
    if (!/^\d+$/.test(port) || rest.length > 0) throw new Error(`invalid port (${wanted}): invalid syntax`);
    const key = `${port}/${proto}`;
    const mappings = await cli.client.containers.ports(container, key);
    if (mappings.length === 0) throw new Error(`No public port '${key}' published for ${container}`);
    for (const m of mappings) cli.out(`${hostAddress(m.hostIp, m.hostPort)}\n`);
    return 0;
  }
  for (const m of await cli.client.containers.ports(container)) {
    cli.out(`${m.port} -> ${hostAddress(m.hostIp, m.hostPort)}\n`);
  }
  return 0;
}
