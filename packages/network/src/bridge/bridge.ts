import { writeFile } from 'node:fs/promises';
import { PolisError, proc } from '@polis/core';
import { macFor } from '../endpoint/wire.js';

/** A network's Linux bridge: its device name and the gateway address it carries. */
export interface BridgeSpec {
  name: string;
  gateway: string;
  prefixLength: number;
}

interface IpLink {
  ifname: string;
  /** The link's MAC. */
  address?: string;
  flags?: string[];
  addr_info?: { local?: string; prefixlen?: number }[];
}

const IFNAME = /^[A-Za-z0-9_.-]{1,15}$/;

/** `pl-<id 12>`: unique per network and inside the kernel's 15 characters. */
export function bridgeName(networkId: string): string {
  return `pl-${networkId.slice(0, 12)}`;
}

function checkName(name: string): void {
  if (!IFNAME.test(name)) throw new PolisError('network.invalid', `bad bridge name ${JSON.stringify(name)}`);
}

async function links(): Promise<Map<string, IpLink>> {
  const { stdout } = await proc.run('ip', ['-j', 'addr', 'show']);
  return new Map((JSON.parse(stdout || '[]') as IpLink[]).map((l) => [l.ifname, l]));
}

/** The `ip -batch` lines that bring `spec` about, given what exists (pure, for tests). */
export function bridgeBatch(spec: BridgeSpec, existing: IpLink | undefined): string[] {
  const lines: string[] = [];
  // A MAC of its own, as Docker gives its bridges: without one a bridge takes its lowest port's and
  // changes it as containers come and go, and containers' ARP entries for the gateway then point at a
  // MAC that is no longer the bridge's. 02:42 and the gateway's bytes: no container has that address.
  const mac = macFor(spec.gateway);
  if (!existing) lines.push(`link add name ${spec.name} address ${mac} type bridge`);
  else if (existing.address !== mac) lines.push(`link set ${spec.name} address ${mac}`);
  const has = existing?.addr_info?.some((a) => a.local === spec.gateway && a.prefixlen === spec.prefixLength);
  if (!has) lines.push(`addr add ${spec.gateway}/${spec.prefixLength} dev ${spec.name}`);
  if (!existing?.flags?.includes('UP')) lines.push(`link set ${spec.name} up`);
  return lines;
}

/**
 * Makes each bridge exist with its gateway address and up, doing only what is missing (so it also
 * restores bridges after a reboot): one `ip -j addr` and at most one `ip -batch`. Also turns on IPv4
 * forwarding and `route_localnet`, which lets DNAT'd traffic from 127.0.0.1 leave through the bridge.
 */
export async function ensureBridges(specs: readonly BridgeSpec[]): Promise<void> {
  if (specs.length === 0) return;
  specs.forEach((s) => checkName(s.name));
  const present = await links();
  const batch = specs.flatMap((s) => bridgeBatch(s, present.get(s.name)));
  try {
    if (batch.length > 0) await proc.run('ip', ['-batch', '-'], { input: batch.join('\n') + '\n' });
    await writeFile('/proc/sys/net/ipv4/ip_forward', '1\n');
    for (const s of specs) await writeFile(`/proc/sys/net/ipv4/conf/${s.name}/route_localnet`, '1\n');
  } catch (err) {
    throw new PolisError(
      'network.setup_failed',
      `setting up bridge ${specs.map((s) => s.name).join(', ')} failed`,
      {
        cause: err,
        context: { bridges: specs.map((s) => s.name) },
      },
    );
  }
}

/** Deletes the bridges that exist; idempotent. */
export async function deleteBridges(names: readonly string[]): Promise<void> {
  names.forEach(checkName);
  const present = await links();
  const doomed = names.filter((n) => present.has(n));
  if (doomed.length === 0) return;
  await proc.run('ip', ['-batch', '-'], { input: doomed.map((n) => `link del ${n}\n`).join('') });
}
