import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isIP, isIPv4 } from 'node:net';
import type { NetnsTarget } from '../types.js';
import { createLogger, isPolisError, logFailure, PolisError, proc, which } from '@polis/core';

const log = createLogger('network');

/** Where `ip netns` keeps named network namespaces (its bind mounts). */
export const NETNS_DIR = '/run/netns';

/** The named netns of a container that Polis wires before it is created. */
export function containerNetnsName(containerId: string): string {
  return `polis-${containerId}`;
}

/** One container endpoint to wire: a veth pair from `bridge` into the container's netns. */
export interface WireRequest {
  netns: NetnsTarget;
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
// A netns name is a file name under /run/netns.
const NETNS_NAME = /^[A-Za-z0-9_.-]{1,200}$/;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

/**
 * Wires all of a container's endpoints in two spawns: one `ip -batch` on the host makes the veth pairs
 * (the peer is created straight inside the container's netns under its final name and MAC) and joins
 * the host ends to their bridges; one `ip -batch` inside the netns sets addresses, lo, links and the
 * default route. A named netns is made first (by the spawn helper, else by the first batch's `netns
 * add`), so a container can be wired before it exists and join it at create; `onNetns` is called once
 * it exists, so that the container's create can go on while its links are made. On failure the host
 * veths are deleted, which takes their peers along, and so is a netns the wiring made.
 */
export async function wireEndpoints(requests: WireRequest[], onNetns?: () => void): Promise<void> {
  if (requests.length === 0) return;
  const target = requests[0]!.netns;
  for (const r of requests) validate(r, target);
  const inside =
    'pid' in target
      ? { command: 'nsenter', args: ['-t', String(target.pid), '-n', ipCommand(), '-batch', '-'] }
      : { command: ipCommand(), args: ['-n', target.name, '-batch', '-'] };
  try {
    const made = 'name' in target && (await proc.netnsAdd(join(NETNS_DIR, target.name)));
    if (made) onNetns?.();
    await proc.run(ipCommand(), ['-batch', '-'], { input: hostBatch(requests, target, !made) });
    if (!made) onNetns?.();
    await proc.run(inside.command, inside.args, { input: namespaceBatch(requests) });
  } catch (err) {
    const hostVeths = requests.map((r) => r.hostVeth);
    const netns = 'name' in target ? target.name : undefined;
    await unwireEndpoints(hostVeths, netns).catch(
      logFailure(log, 'deleting the veths of a failed wiring', { netns: target, hostVeths }),
    );
    const stderr = isPolisError(err) ? String(err.context.stderr ?? '') : '';
    throw new PolisError(
      'network.setup_failed',
      `wiring the network of ${describeTarget(target)} failed: ${stderr || String(err)}`,
      {
        cause: err,
        context: { netns: target, hostVeths },
      },
    );
  }
}

/**
 * Deletes a container's named netns (when given and present) and the host veths that still exist. A
 * stopped container's netns is gone (or goes with its name) and takes its veths along, so this usually
 * does no more than `ip netns del` (an unmount, by the spawn helper, and an unlink): the kernel frees a
 * netns shortly after its last reference, and the
 * veths are waited for a moment before any is deleted by hand (a `link del` of a live veth costs ~30 ms
 * of RCU waits).
 */
export async function unwireEndpoints(hostVeths: string[], netns?: string): Promise<void> {
  for (const name of hostVeths) checkName(name, 'host veth');
  if (netns !== undefined) {
    checkNetnsName(netns);
    const file = join(NETNS_DIR, netns);
    if (existsSync(file)) {
      // What `ip netns del` does, without starting ip: the bind mount goes, then the file. A file no
      // longer mounted (polisd killed between the two) is unlinked all the same; one still mounted
      // refuses the unlink (EBUSY), and the unmount's failure is the error.
      await proc.umount(file, { lazy: true }).catch(async (err: unknown) => {
        await rm(file, { force: true }).catch(() => {
          throw err;
        });
      });
      await rm(file, { force: true });
      await gone(hostVeths, VETH_GRACE_MS);
    }
  }
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

/** How long the veths of a deleted netns are waited for before they are deleted by hand. */
const VETH_GRACE_MS = 100;

async function gone(hostVeths: string[], ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (hostVeths.some(exists) && Date.now() < until) await new Promise((r) => setTimeout(r, 2));
}

function describeTarget(target: NetnsTarget): string {
  return 'pid' in target ? `pid ${target.pid}` : `netns ${target.name}`;
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

function hostBatch(requests: WireRequest[], target: NetnsTarget, makeNetns: boolean): string {
  const into = 'pid' in target ? String(target.pid) : target.name;
  const make = 'name' in target && makeNetns ? `netns add ${target.name}\n` : '';
  return (
    make +
    requests
      .map((r) => {
        const mtu = r.mtu === undefined ? '' : ` mtu ${r.mtu}`;
        return (
          `link add name ${r.hostVeth}${mtu} type veth peer name ${r.interfaceName}${mtu}` +
          ` address ${r.macAddress} netns ${into}\n` +
          `link set ${r.hostVeth} master ${r.bridge} up\n` +
          // A container reaching its own published port through a host address comes back in on
          // the port it left by; the bridge allows that only in hairpin mode.
          `link set ${r.hostVeth} type bridge_slave hairpin on\n`
        );
      })
      .join('')
  );
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

function validate(r: WireRequest, target: NetnsTarget): void {
  const bad = (what: string): never => {
    throw new PolisError('network.invalid', `cannot wire endpoint ${r.interfaceName}: ${what}`, {
      context: { request: r },
    });
  };
  if ('pid' in r.netns) {
    if (!Number.isInteger(r.netns.pid) || r.netns.pid <= 0) bad(`bad pid ${r.netns.pid}`);
  } else if (!NETNS_NAME.test(r.netns.name)) bad(`bad netns name ${JSON.stringify(r.netns.name)}`);
  if (describeTarget(r.netns) !== describeTarget(target))
    bad('all endpoints of one call must share the netns');
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

function checkNetnsName(name: string): void {
  if (!NETNS_NAME.test(name)) {
    throw new PolisError('network.invalid', `bad netns name ${JSON.stringify(name)}`, { context: { name } });
  }
}

function exists(name: string): boolean {
  return existsSync(`/sys/class/net/${name}`);
}

function ipCommand(): string {
  return which('ip') ?? 'ip';
}
