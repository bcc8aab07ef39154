import type { NetworkCreateBody } from '@polis/sdk/engine';
import type { Cli } from '../../cli.js';
import { bool, list, str, type CommandSpec, type Parsed } from '../../flags.js';
import { toMap } from '../../options/kv-file.js';

export const spec: CommandSpec = {
  name: 'network create',
  usage: '[OPTIONS] NETWORK',
  summary: 'Create a network',
  minArgs: 1,
  maxArgs: 1,
  flags: [
    { name: 'driver', short: 'd', type: 'string', help: 'Driver to manage the Network', default: 'bridge' },
    { name: 'gateway', type: 'list', help: 'IPv4 or IPv6 Gateway for the master subnet' },
    { name: 'internal', type: 'bool', help: 'Restrict external access to the network' },
    { name: 'ip-range', type: 'list', help: 'Allocate container ip from a sub-range' },
    { name: 'label', type: 'list', help: 'Set metadata on a network' },
    { name: 'opt', short: 'o', type: 'list', meta: 'map', help: 'Set driver specific options' },
    { name: 'subnet', type: 'list', help: 'Subnet in CIDR format that represents a network segment' },
  ],
};

/** The create request, as docker's `network create` builds it (one pool per `--subnet`). */
export function createBody(p: Parsed): NetworkCreateBody {
  const subnets = list(p, 'subnet');
  const gateways = list(p, 'gateway');
  const ranges = list(p, 'ip-range');
  if (gateways.length > subnets.length || ranges.length > subnets.length) {
    throw new Error('every ip-range or gateway must have a corresponding subnet');
  }
  const pools = subnets.map((Subnet, i) => ({
    Subnet,
    ...(gateways[i] ? { Gateway: gateways[i] } : {}),
    ...(ranges[i] ? { IPRange: ranges[i] } : {}),
  }));
  return {
    Name: p.args[0] as string,
    CheckDuplicate: true,
    Driver: str(p, 'driver') ?? 'bridge',
    Internal: bool(p, 'internal'),
    IPAM: { Driver: 'default', Config: pools },
    Options: toMap(list(p, 'opt')),
    Labels: toMap(list(p, 'label')),
  };
}

export async function run(cli: Cli, p: Parsed): Promise<number> {
  const res = await cli.client.networks.create(createBody(p));
  cli.out(`${res.Id}\n`);
  return 0;
}
