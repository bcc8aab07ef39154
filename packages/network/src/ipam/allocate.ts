import { PolisError } from '@polis/core';
import { contains, formatAddress, lastOf, parseAddress, parseCidr, type Cidr } from './cidr.js';

/** Where a network's container addresses come from. */
export interface AddressPool {
  subnet: Cidr;
  /** `--ip-range`, or the whole subnet. */
  range: Cidr;
  gateway: bigint;
}

export function poolOf(network: { subnet: string; gateway: string; ipRange?: string }): AddressPool {
  const subnet = parseCidr(network.subnet);
  const gateway = parseAddress(network.gateway);
  if (!gateway) throw new PolisError('network.invalid', `invalid gateway ${network.gateway}`);
  return { subnet, range: network.ipRange ? parseCidr(network.ipRange) : subnet, gateway: gateway.value };
}

/** Addresses no container may have: the network address, the IPv4 broadcast and the gateway. */
function reserved(pool: AddressPool, value: bigint): boolean {
  if (value === pool.subnet.base || value === pool.gateway) return true;
  return pool.subnet.family === 4 && value === lastOf(pool.subnet);
}

/** The lowest free address of the range; undefined when the range is full. */
export function lowestFree(pool: AddressPool, taken: ReadonlySet<bigint>): string | undefined {
  const last = lastOf(pool.range);
  // At most taken.size + 3 steps: each step past the first skips a taken or reserved address.
  for (let v = pool.range.base; v <= last; v++) {
    if (!taken.has(v) && !reserved(pool, v)) return formatAddress(v, pool.subnet.family);
  }
  return undefined;
}

/**
 * Checks an address asked for with `--ip`: inside the subnet (not necessarily the range, as in
 * Docker), not reserved, not leased. Returns its canonical form.
 */
export function checkStatic(pool: AddressPool, requested: string, taken: ReadonlySet<bigint>): string {
  const address = parseAddress(requested);
  if (!address || !contains(pool.subnet, address)) {
    throw new PolisError('network.invalid', `no configured subnet contains IP address ${requested}`, {
      context: { address: requested },
    });
  }
  if (reserved(pool, address.value) || taken.has(address.value)) {
    throw new PolisError('network.address_in_use', `Address already in use: ${requested}`, {
      context: { address: requested },
    });
  }
  return formatAddress(address.value, address.family);
}
