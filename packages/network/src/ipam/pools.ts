import { formatCidr, overlaps, parseCidr, type Cidr } from './cidr.js';

/** Docker's default address pools for bridge networks: 172.17-31.0.0/16, then 192.168.0.0/16 in /20s. */
export function* defaultPools(): Generator<Cidr> {
  for (let b = 17; b <= 31; b++) yield parseCidr(`172.${b}.0.0/16`);
  for (let c = 0; c < 256; c += 16) yield parseCidr(`192.168.${c}.0/20`);
}

/** The first pool (after `after`, if given) that overlaps nothing in `used`. */
export function pickSubnet(used: readonly Cidr[], after?: Cidr): string | undefined {
  let skipping = after !== undefined;
  for (const pool of defaultPools()) {
    if (skipping) {
      skipping = !(pool.base === after?.base && pool.prefix === after.prefix);
      continue;
    }
    if (!used.some((u) => overlaps(u, pool))) return formatCidr(pool);
  }
  return undefined;
}
