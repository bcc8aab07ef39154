import { PolisError } from '@polis/core';
import { formatCidr, overlaps, parseCidr, type Cidr } from './cidr.js';

/** dockerd's `--default-address-pool base=CIDR,size=N`: BASE cut into subnets of prefix SIZE. */
export interface AddressPool {
  base: string;
  size: number;
}

/** Docker's default address pools for bridge networks: 172.17-31.0.0/16, then 192.168.0.0/16 in /20s. */
export const DOCKER_DEFAULT_POOLS: readonly AddressPool[] = [
  { base: '172.17.0.0/16', size: 16 },
  { base: '172.18.0.0/15', size: 16 },
  { base: '172.20.0.0/14', size: 16 },
  { base: '172.24.0.0/14', size: 16 },
  { base: '172.28.0.0/14', size: 16 },
  { base: '192.168.0.0/16', size: 20 },
];

/** Checks a pool as dockerd does: an IPv4 base, and a size no shorter than the base's prefix, at most /30. */
export function checkPool(pool: AddressPool): AddressPool {
  let base: Cidr;
  try {
    base = parseCidr(pool.base);
  } catch (err) {
    throw new PolisError('request.invalid', `invalid default address pool base: ${(err as Error).message}`);
  }
  if (base.family !== 4) {
    throw new PolisError(
      'request.invalid',
      `default address pool ${pool.base}: only IPv4 pools are supported`,
    );
  }
  if (!Number.isInteger(pool.size) || pool.size < base.prefix || pool.size > 30) {
    throw new PolisError(
      'request.invalid',
      `default address pool ${pool.base}: size ${pool.size} must be between /${base.prefix} and /30`,
    );
  }
  return { base: formatCidr(base), size: pool.size };
}

/** `base=CIDR,size=N` (the flag's form) → a checked pool. */
export function parsePool(text: string): AddressPool {
  const fields = new Map(
    text.split(',').map((kv) => {
      const i = kv.indexOf('=');
      return [kv.slice(0, i).trim().toLowerCase(), kv.slice(i + 1).trim()] as const;
    }),
  );
  const base = fields.get('base');
  const size = fields.get('size');
  if (!base || !size || !/^\d+$/.test(size) || [...fields.keys()].some((k) => k !== 'base' && k !== 'size')) {
    throw new PolisError('request.invalid', `invalid --default-address-pool "${text}": use base=CIDR,size=N`);
  }
  return checkPool({ base, size: Number(size) });
}

/** Every subnet of POOLS, in order. */
export function* poolSubnets(pools: readonly AddressPool[] = DOCKER_DEFAULT_POOLS): Generator<Cidr> {
  for (const pool of pools) {
    const base = parseCidr(pool.base);
    const step = 1n << BigInt(32 - pool.size);
    const end = base.base + (1n << BigInt(32 - base.prefix));
    for (let at = base.base; at < end; at += step) yield { family: 4, base: at, prefix: pool.size };
  }
}

/** The first subnet of POOLS (after `after`, if given) that overlaps nothing in `used`. */
export function pickSubnet(
  used: readonly Cidr[],
  after?: Cidr,
  pools: readonly AddressPool[] = DOCKER_DEFAULT_POOLS,
): string | undefined {
  let skipping = after !== undefined;
  for (const pool of poolSubnets(pools)) {
    if (skipping) {
      skipping = !(pool.base === after?.base && pool.prefix === after.prefix);
      continue;
    }
    if (!used.some((u) => overlaps(u, pool))) return formatCidr(pool);
  }
  return undefined;
}
