import { readFile } from 'node:fs/promises';
import { createLogger, proc } from '@polis/core';

const log = createLogger('balancer');

/** A connection the kernel tracks, as far as draining needs it. */
export interface TrackedFlow {
  protocol: string;
  state: string;
  origDst: string;
  origDport: number;
  replySrc: string;
  replySport: number;
}

/** TCP states of a connection still open (TIME_WAIT and CLOSE are over; they only linger in the table). */
const OPEN = new Set([
  'SYN_SENT',
  'SYN_RECV',
  'ESTABLISHED',
  'FIN_WAIT',
  'CLOSE_WAIT',
  'LAST_ACK',
  'SYN_SENT2',
]);

/** Which lines `parseConntrack` reads: those of connections to this (original) destination port, and
 * with `ip`, those naming that address (a backend's, as the reply's source); the rest are skipped
 * before they are split. */
export interface FlowFilter {
  port: number;
  ip?: string;
}

/**
 * Parses /proc/net/nf_conntrack: `ipv4 2 tcp 6 300 ESTABLISHED src=… dst=… sport=… dport=… src=… …`;
 * the first tuple is the original direction, the second the reply (its source is the DNAT target).
 * One pass over each line's fields (a table after a busy minute holds tens of thousands of lines).
 */
export function parseConntrack(text: string, filter?: FlowFilter): TrackedFlow[] {
  const flows: TrackedFlow[] = [];
  const port = filter ? ` dport=${filter.port} ` : '';
  const ip = filter?.ip !== undefined ? ` src=${filter.ip} ` : '';
  for (const line of text.split('\n')) {
    if (!line.startsWith('ipv4') || (port && !line.includes(port)) || (ip && !line.includes(ip))) continue;
    const f = line.trim().split(/\s+/);
    if (f[2] !== 'tcp' && f[2] !== 'udp') continue;
    let origDst = '';
    let replySrc = '';
    let origDport = Number.NaN;
    let replySport = Number.NaN;
    let src = 0;
    let dst = 0;
    let sport = 0;
    let dport = 0;
    for (const x of f) {
      if (x.startsWith('src=')) {
        if (src++ === 1) replySrc = x.slice(4);
      } else if (x.startsWith('dst=')) {
        if (dst++ === 0) origDst = x.slice(4);
      } else if (x.startsWith('sport=')) {
        if (sport++ === 1) replySport = Number(x.slice(6));
      } else if (x.startsWith('dport=')) {
        if (dport++ === 0) origDport = Number(x.slice(6));
      }
    }
    if (!origDst || !replySrc) continue;
    flows.push({
      protocol: f[2],
      state: f[2] === 'tcp' ? (f[5] ?? '') : '',
      origDst,
      origDport,
      replySrc,
      replySport,
    });
  }
  return flows;
}

/** Whether a flow is open: every tracked UDP flow (it ends by timing out), TCP ones not yet closing. */
export const isOpen = (f: TrackedFlow): boolean => f.protocol === 'udp' || OPEN.has(f.state);

/**
 * Open connections of one frontend that the kernel sent to `backend`: DNAT'd (the original destination
 * is not the backend) to its address and port, on the frontend's port.
 */
export function openTo(
  flows: readonly TrackedFlow[],
  protocol: string,
  frontendPort: number,
  backend: { ip: string; port: number },
): number {
  return through(flows, protocol, frontendPort, backend).filter(isOpen).length;
}

/** The frontend's connections that the kernel DNAT-ed to `backend`, in any state. */
function through(
  flows: readonly TrackedFlow[],
  protocol: string,
  frontendPort: number,
  backend: { ip: string; port: number },
): TrackedFlow[] {
  return flows.filter(
    (f) =>
      f.protocol === protocol &&
      f.origDport === frontendPort &&
      f.origDst !== backend.ip &&
      f.replySrc === backend.ip &&
      f.replySport === backend.port,
  );
}

export const CONNTRACK_FILE = '/proc/net/nf_conntrack';

/** The tracked flows now, or undefined when the kernel does not show them (no procfs conntrack). */
export async function readConntrack(
  filter?: FlowFilter,
  path = CONNTRACK_FILE,
): Promise<TrackedFlow[] | undefined> {
  try {
    return parseConntrack(await readFile(path, 'utf8'), filter);
  } catch {
    return undefined;
  }
}

/**
 * Flows that `forgetFlows` would delete: the frontend's DNAT-ed connections to `backend` — every one
 * (`all`), or (`idle`) those a new connection would wrongly reuse: TCP ones being set up or reset
 * (SYN_SENT, SYN_RECV, CLOSE), every UDP flow.
 */
export function staleTo(
  flows: readonly TrackedFlow[],
  protocol: string,
  frontendPort: number,
  backend: { ip: string; port: number },
  which: 'idle' | 'all',
): TrackedFlow[] {
  return through(flows, protocol, frontendPort, backend).filter(
    (f) => which === 'all' || f.protocol === 'udp' || !KEPT.has(f.state),
  );
}

/**
 * TCP states an `idle` forget keeps: a connection that may still carry data, and TIME_WAIT, which the
 * kernel itself replaces when a new SYN comes on its tuple (a FIN was seen), so deleting it would only
 * cost a `conntrack` run after every ordinary request.
 */
const KEPT = new Set(['ESTABLISHED', 'FIN_WAIT', 'CLOSE_WAIT', 'LAST_ACK', 'TIME_WAIT']);

let warned = false;

/**
 * Deletes the kernel's entries of a frontend's connections to a backend that left it. A new connection
 * whose tuple (client address and port) the kernel still tracks — a SYN_SENT to a replica that died, a
 * CLOSE after its reset — reuses that entry and its NAT, so it would go to the backend that left: the
 * same problem as docker's moby#8795 and Kubernetes' #31983, and the same cure (`conntrack -D`). Needs
 * the `conntrack` program; without it nothing is deleted (logged once). Returns how many were matched.
 */
export async function forgetFlows(
  protocol: 'tcp' | 'udp',
  frontendPort: number,
  backend: { ip: string; port: number },
  which: 'idle' | 'all',
): Promise<number> {
  const flows = await readConntrack({ port: frontendPort, ip: backend.ip });
  if (!flows) return 0;
  const stale = staleTo(flows, protocol, frontendPort, backend, which);
  if (stale.length === 0) return 0;
  const base = ['-D', '-p', protocol, '--orig-port-dst', String(frontendPort)];
  const to = ['--reply-src', backend.ip, '--reply-port-src', String(backend.port)];
  const calls =
    which === 'all' || protocol === 'udp'
      ? [[...base, ...to]]
      : [...new Set(stale.map((f) => f.state))].map((state) => [...base, ...to, '--state', state]);
  try {
    // conntrack exits 1 when nothing matched (the entry may have timed out since it was read).
    for (const args of calls) await proc.run('conntrack', args, { okCodes: [0, 1] });
  } catch (err) {
    if (!warned) log.warn('cannot delete stale conntrack entries (is conntrack installed?)', { error: err });
    warned = true;
  }
  return stale.length;
}
