import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { isIP, isIPv4 } from 'node:net';
import { createLogger, isPolisError, logFailure, PolisError, proc, which } from '@polis/core';

const log = createLogger('network');

/** One container endpoint to wire: a veth pair from `bridge` into the netns of `pid`. */
export interface WireRequest {
  pid: number;
  bridge: string;
  hostVeth: string;
  interfaceName: string;
  address: string;
  prefixLength: number;
  macAddress: string;
  gateway: string;
  defaultRoute: boolean;
  mtu?: number;
}

// Linux interface names: at most 15 bytes, and nothing that could split an `ip -batch` line.
const IFNAME = /^[A-Za-z0-9_.-]{1,15}$/;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

/**
 * Wires all of a container's endpoints in two spawns: one `ip -batch` on the host makes the veth pairs
 * (the peer is created straight inside the container's netns under its final name and MAC) and joins
 * the host ends to their bridges; one `ip -batch` inside the netns sets addresses, lo, links and the
 * default route. On failure the host veths are deleted, which takes their peers along.
 */
export async function wireEndpoints(requests: WireRequest[]): Promise<void> {
  if (requests.length === 0) return;
  const pid = requests[0]!.pid;
  for (const r of requests) validate(r, pid);
  try {
    await proc.run(ipCommand(), ['-batch', '-'], { input: hostBatch(requests) });
    await proc.run('nsenter', ['-t', String(pid), '-n', ipCommand(), '-batch', '-'], {
      input: namespaceBatch(requests),
    });
  } catch (err) {
    const hostVeths = requests.map((r) => r.hostVeth);
    await unwireEndpoints(hostVeths).catch(
      logFailure(log, 'deleting the veths of a failed wiring', { pid, hostVeths }),
    );
    const stderr = isPolisError(err) ? String(err.context.stderr ?? '') : '';
    throw new PolisError(
      'network.setup_failed',
      `wiring the network of pid ${pid} failed: ${stderr || String(err)}`,
      {
        cause: err,
        context: { pid, hostVeths: requests.map((r) => r.hostVeth) },
      },
    );
  }
}

/**
 * Deletes the host veths that still exist. A stopped container's netns is gone and took its veths
 * along, so this usually finds nothing and spawns nothing.
 */
export async function unwireEndpoints(hostVeths: string[]): Promise<void> {
  for (const name of hostVeths) checkName(name, 'host veth');
  const present = hostVeths.filter(exists);
  if (present.length === 0) return;
  // -force keeps going past a veth that vanished meanwhile (its netns died); what is left is checked below.
  const result = await proc.run(ipCommand(), ['-force', '-batch', '-'], {
    input: present.map((name) => `link del ${name}\n`).join(''),
    okCodes: [0, 1],
  });
  const left = present.filter(exists);
  if (left.length > 0) {
    throw new PolisError(
      'process.failed',
      `could not delete veth ${left.join(', ')}: ${proc.tail(result.stderr)}`,
      {
        context: { hostVeths: left, stderr: result.stderr },
      },
    );
  }
}

/** Docker's MAC for an IPv4 address: 02:42 followed by the four address bytes. */
export function macFor(address: string): string {
  if (!isIPv4(address)) {
    throw new PolisError('network.invalid', `cannot derive a MAC address from ${JSON.stringify(address)}`);
  }
  return ['02', '42', ...address.split('.').map((b) => Number(b).toString(16).padStart(2, '0'))].join(':');
}

/** A host veth name unique per (container, network) and within the kernel's 15 characters. */
export function hostVethName(containerId: string, networkId: string): string {
  return `pv${createHash('sha256')
    .update(containerId + networkId)
    .digest('hex')
    .slice(0, 12)}`;
}

function hostBatch(requests: WireRequest[]): string {
  return requests
    .map((r) => {
      const mtu = r.mtu === undefined ? '' : ` mtu ${r.mtu}`;
      return (
        `link add name ${r.hostVeth}${mtu} type veth peer name ${r.interfaceName}${mtu}` +
        ` address ${r.macAddress} netns ${r.pid}\n` +
        `link set ${r.hostVeth} master ${r.bridge} up\n` +
        // A container reaching its own published port through a host address comes back in on
        // the port it left by; the bridge allows that only in hairpin mode.
        `link set ${r.hostVeth} type bridge_slave hairpin on\n`
      );
    })
    .join('');
}

function namespaceBatch(requests: WireRequest[]): string {
  const lines = ['link set lo up'];
  for (const r of requests) {
    // IPv6 addresses skip duplicate address detection: the IPAM already made them unique.
    const extra = isIPv4(r.address) ? ' brd +' : ' nodad';
    lines.push(`addr add ${r.address}/${r.prefixLength}${extra} dev ${r.interfaceName}`);
    lines.push(`link set ${r.interfaceName} up`);
  }
  const first = requests.find((r) => r.defaultRoute);
  if (first) lines.push(`route add default via ${first.gateway} dev ${first.interfaceName}`);
  return lines.join('\n') + '\n';
}

function validate(r: WireRequest, pid: number): void {
  const bad = (what: string): never => {
    throw new PolisError('network.invalid', `cannot wire endpoint ${r.interfaceName}: ${what}`, {
      context: { request: r },
    });
  };
  if (!Number.isInteger(r.pid) || r.pid <= 0) bad(`bad pid ${r.pid}`);
  if (r.pid !== pid) bad('all endpoints of one call must share the container pid');
  checkName(r.bridge, 'bridge');
  checkName(r.hostVeth, 'host veth');
  checkName(r.interfaceName, 'interface');
  const family = isIP(r.address);
  if (family === 0) bad(`bad address ${r.address}`);
  const maxPrefix = family === 4 ? 32 : 128;
  if (!Number.isInteger(r.prefixLength) || r.prefixLength < 0 || r.prefixLength > maxPrefix) {
    bad(`bad prefix length ${r.prefixLength}`);
  }
  if (!MAC.test(r.macAddress)) bad(`bad MAC address ${r.macAddress}`);
  if (r.defaultRoute && isIP(r.gateway) === 0) bad(`bad gateway ${r.gateway}`);
  if (r.mtu !== undefined && (!Number.isInteger(r.mtu) || r.mtu < 68 || r.mtu > 65535))
    bad(`bad MTU ${r.mtu}`);
}

function checkName(name: string, what: string): void {
  if (!IFNAME.test(name)) {
    throw new PolisError('network.invalid', `bad ${what} name ${JSON.stringify(name)}`, {
      context: { name },
    });
  }
}

function exists(name: string): boolean {
  return existsSync(`/sys/class/net/${name}`);
}

function ipCommand(): string {
  return which('ip') ?? 'ip';
}
