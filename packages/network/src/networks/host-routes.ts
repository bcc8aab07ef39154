import { proc } from '@polis/core';
import { parseAddress, parseCidr, type Cidr } from '../ipam/cidr.js';

/** A route of the host's main table that a network's subnet must not overlap. */
export interface HostRoute {
  dst: Cidr;
  dev: string;
}

interface IpRoute {
  dst?: string;
  dev?: string;
}

/** Parses `ip -j route` output; `default` routes are not counted (every subnet "overlaps" them). */
export function parseRoutes(json: string): HostRoute[] {
  const routes = JSON.parse(json || '[]') as IpRoute[];
  const out: HostRoute[] = [];
  for (const r of routes) {
    if (!r.dst || r.dst === 'default') continue;
    const text = r.dst.includes('/') ? r.dst : singleHost(r.dst);
    if (!text) continue;
    try {
      out.push({ dst: parseCidr(text), dev: r.dev ?? '' });
    } catch {
      // A route with host bits set (`ip route add 10.1.2.3/16` keeps them masked, so rare): skip it.
    }
  }
  return out;
}

function singleHost(dst: string): string | undefined {
  const a = parseAddress(dst);
  return a && `${dst}/${a.family === 4 ? 32 : 128}`;
}

/** The host's IPv4 and IPv6 routes (two `ip -j` calls, run together). */
export async function hostRoutes(): Promise<HostRoute[]> {
  const [v4, v6] = await Promise.all([
    proc.run('ip', ['-j', 'route', 'show']),
    proc.run('ip', ['-j', '-6', 'route', 'show']),
  ]);
  return [...parseRoutes(v4.stdout), ...parseRoutes(v6.stdout)];
}
