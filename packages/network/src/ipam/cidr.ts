import { PolisError } from '@polis/core';

/**
 * Address and CIDR arithmetic on bigints, so IPv4 and IPv6 share one code path.
 */
export type Family = 4 | 6;

export interface Address {
  family: Family;
  value: bigint;
}

/** A prefix: `base` is the network address (host bits zero). */
export interface Cidr {
  family: Family;
  base: bigint;
  prefix: number;
}

export const bitsOf = (family: Family): number => (family === 4 ? 32 : 128);

export function parseAddress(text: string): Address | undefined {
  if (text.includes(':')) {
    const value = parseV6(text);
    return value === undefined ? undefined : { family: 6, value };
  }
  const value = parseV4(text);
  return value === undefined ? undefined : { family: 4, value };
}

function parseV4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) return undefined;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

function parseV6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string): number[] | undefined => {
    if (half === '') return [];
    const out: number[] = [];
    const parts = half.split(':');
    for (const [i, part] of parts.entries()) {
      // An embedded IPv4 tail (`::ffff:1.2.3.4`) counts as two groups.
      if (i === parts.length - 1 && part.includes('.')) {
        const v4 = parseV4(part);
        if (v4 === undefined) return undefined;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else if (/^[0-9a-fA-F]{1,4}$/.test(part)) {
        out.push(parseInt(part, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groups(halves[0] ?? '');
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  let value = 0n;
  for (const g of [...head, ...new Array<number>(missing).fill(0), ...tail])
    value = (value << 16n) | BigInt(g);
  return value;
}

export function formatAddress(value: bigint, family: Family): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
  }
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  // RFC 5952: the longest run (of two or more) of zero groups becomes `::`, the first one on a tie.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = (gs: number[]): string => gs.map((g) => g.toString(16)).join(':');
  if (best < 0) return hex(groups);
  return `${hex(groups.slice(0, best))}::${hex(groups.slice(best + bestLen))}`;
}

function invalid(message: string, context: Record<string, unknown>): PolisError {
  return new PolisError('network.invalid', message, { context });
}

/** Parses `a.b.c.d/n` (or IPv6); host bits must be zero, as Docker requires. */
export function parseCidr(text: string): Cidr {
  const [addr, len, extra] = text.split('/');
  const address = addr === undefined ? undefined : parseAddress(addr);
  const bits = address ? bitsOf(address.family) : 0;
  if (!address || len === undefined || extra !== undefined || !/^\d{1,3}$/.test(len) || Number(len) > bits) {
    throw invalid(`invalid CIDR address: ${text}`, { cidr: text });
  }
  const prefix = Number(len);
  const base = address.value & maskOf(address.family, prefix);
  if (base !== address.value) {
    const want = formatCidr({ family: address.family, base, prefix });
    throw invalid(`invalid subnet ${text}: it should be ${want}`, { cidr: text });
  }
  return { family: address.family, base, prefix };
}

export function maskOf(family: Family, prefix: number): bigint {
  const bits = BigInt(bitsOf(family));
  const all = (1n << bits) - 1n;
  return (all << (bits - BigInt(prefix))) & all;
}

export function formatCidr(cidr: Cidr): string {
  return `${formatAddress(cidr.base, cidr.family)}/${cidr.prefix}`;
}

export function sizeOf(cidr: Cidr): bigint {
  return 1n << BigInt(bitsOf(cidr.family) - cidr.prefix);
}

export function lastOf(cidr: Cidr): bigint {
  return cidr.base + sizeOf(cidr) - 1n;
}

export function contains(cidr: Cidr, address: Address): boolean {
  return address.family === cidr.family && address.value >= cidr.base && address.value <= lastOf(cidr);
}

export function containsCidr(outer: Cidr, inner: Cidr): boolean {
  return outer.family === inner.family && inner.base >= outer.base && lastOf(inner) <= lastOf(outer);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.family === b.family && a.base <= lastOf(b) && b.base <= lastOf(a);
}
