import { PolisError } from '@polis/core';
import {
  contains,
  containsCidr,
  formatAddress,
  formatCidr,
  lastOf,
  overlaps,
  parseAddress,
  parseCidr,
  type Cidr,
} from '../ipam/cidr.js';
import { pickSubnet, type AddressPool } from '../ipam/pools.js';
import type { CreateNetworkOptions, NetworkRecord } from '../types.js';
import type { HostRoute } from './host-routes.js';

/** What a new network's subnet is checked against. */
export interface AddressSpace {
  networks: readonly NetworkRecord[];
  routes: readonly HostRoute[];
  /** Where automatic subnets come from (`--default-address-pool`); Docker's defaults when absent. */
  pools?: readonly AddressPool[];
}

/** The validated, defaulted fields of a network to create. */
export type NetworkSpec = Pick<
  NetworkRecord,
  'name' | 'subnet' | 'gateway' | 'ipRange' | 'internal' | 'labels' | 'options'
>;

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
/** Names of Docker's pre-defined networks; Polis serves `host` and `none` as network modes. */
export const PREDEFINED = ['bridge', 'host', 'none'];

const invalid = (message: string, context: Record<string, unknown> = {}): PolisError =>
  new PolisError('network.invalid', message, { context });

/** Names what `subnet` overlaps (a network or a host route), or undefined. */
export function findOverlap(subnet: Cidr, space: AddressSpace): string | undefined {
  const ours = new Set(space.networks.map((n) => n.bridge));
  for (const n of space.networks) {
    if (overlaps(parseCidr(n.subnet), subnet)) return `network ${n.name} (${n.subnet})`;
  }
  // Routes through our own bridges are our networks, already checked above.
  const route = space.routes.find((r) => !ours.has(r.dev) && overlaps(r.dst, subnet));
  return route && `host route ${formatCidr(route.dst)} on ${route.dev || 'an unnamed device'}`;
}

function usedSpace(space: AddressSpace): Cidr[] {
  const ours = new Set(space.networks.map((n) => n.bridge));
  return [
    ...space.networks.map((n) => parseCidr(n.subnet)),
    ...space.routes.filter((r) => !ours.has(r.dev)).map((r) => r.dst),
  ];
}

/** A free subnet from Docker's default pools, or `network.pool_exhausted`. */
export function autoSubnet(space: AddressSpace): string {
  const subnet = pickSubnet(usedSpace(space), undefined, space.pools);
  if (!subnet) {
    throw new PolisError(
      'network.pool_exhausted',
      'could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network',
    );
  }
  return subnet;
}

/** Docker's checks on `network create`, with defaults filled in. */
export function validateCreate(options: CreateNetworkOptions, space: AddressSpace): NetworkSpec {
  const name = options.name ?? '';
  if (!NAME.test(name)) throw invalid(`invalid network name "${name}": must match ${NAME.source}`, { name });
  if (space.networks.some((n) => n.name === name)) {
    throw new PolisError('network.exists', `network with name ${name} already exists`, { context: { name } });
  }
  if (PREDEFINED.includes(name)) {
    throw new PolisError('network.predefined', `operation is not permitted on predefined ${name} network`, {
      context: { name },
    });
  }
  const driver = options.driver || 'bridge';
  if (driver !== 'bridge') {
    throw invalid(`network driver "${driver}" is not supported: Polis has the bridge driver only`, {
      driver,
    });
  }
  if (!options.subnet && (options.gateway || options.ipRange)) {
    throw invalid('a gateway or ip-range needs a subnet (--subnet)');
  }

  let subnetText: string;
  if (options.subnet) {
    const subnet = parseCidr(options.subnet);
    if (subnet.family !== 4) throw invalid(`IPv6 subnets are not supported yet: ${options.subnet}`);
    if (subnet.prefix > 30) throw invalid(`subnet ${options.subnet} is too small: at most /30`);
    const conflict = findOverlap(subnet, space);
    if (conflict) {
      throw new PolisError(
        'network.subnet_overlap',
        `Pool overlaps with other one on this address space: ${options.subnet} overlaps ${conflict}`,
        { context: { subnet: options.subnet, conflict } },
      );
    }
    subnetText = formatCidr(subnet);
  } else {
    subnetText = autoSubnet(space);
  }
  const subnet = parseCidr(subnetText);

  let gateway = formatAddress(subnet.base + 1n, subnet.family);
  if (options.gateway) {
    const g = parseAddress(options.gateway);
    if (!g || !contains(subnet, g) || g.value === subnet.base || g.value === lastOf(subnet)) {
      throw invalid(`gateway ${options.gateway} is not a host address of subnet ${subnetText}`, {
        gateway: options.gateway,
      });
    }
    gateway = formatAddress(g.value, g.family);
  }

  let ipRange: string | undefined;
  if (options.ipRange) {
    const range = parseCidr(options.ipRange);
    if (!containsCidr(subnet, range)) {
      throw invalid(`ip-range ${options.ipRange} is not inside subnet ${subnetText}`, {
        ipRange: options.ipRange,
      });
    }
    ipRange = formatCidr(range);
  }

  return {
    name,
    subnet: subnetText,
    gateway,
    ...(ipRange ? { ipRange } : {}),
    internal: options.internal ?? false,
    labels: { ...(options.labels ?? {}) },
    options: { ...(options.options ?? {}) },
  };
}
