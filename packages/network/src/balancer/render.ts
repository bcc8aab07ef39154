import { createHash } from 'node:crypto';
import type { BalancerBackend, BalancerFrontend } from './types.js';

/**
 * nftables text of the kernel path. One table (`ip polis_lb…`) holds every service: four verdict maps
 * send a new connection to a frontend (by protocol, keyed by address and port or by port alone for
 * frontends on every address) to its service chain `s_<hash>`, which picks a backend chain
 * `b_<hash>_<hash>` with `numgen inc` or `jhash`; the backend chain counts (a named counter per
 * backend) and DNATs. Only a connection's first packet passes NAT chains, so the counters count
 * connections (UDP: flows), and a rule change never touches a connection already open: its NAT is
 * kept in its conntrack entry.
 */

export interface KernelBackend extends BalancerBackend {
  /** Chain and counter name of this backend. */
  tag: string;
}

export interface KernelService {
  id: string;
  frontend: BalancerFrontend;
  backends: KernelBackend[];
}

const MAPS = ['fe_tcp_addr', 'fe_tcp_any', 'fe_udp_addr', 'fe_udp_any'] as const;

const hash = (text: string, n: number): string => createHash('sha256').update(text).digest('hex').slice(0, n);

/** Chain name of a service (nft names are identifiers; service keys hold `/`). */
export const serviceChain = (serviceKey: string): string => `s_${hash(serviceKey, 12)}`;

/** Chain (and counter) name of one backend of a service. */
export const backendTag = (serviceId: string, containerId: string): string =>
  `b_${serviceId.slice(2)}_${hash(containerId, 10)}`;

/** Whether the frontend listens on every host address (`''` or `0.0.0.0`). */
export const onAnyAddress = (f: BalancerFrontend): boolean => f.hostIp === '' || f.hostIp === '0.0.0.0';

/** The map and key of a frontend. */
export function frontendElement(f: BalancerFrontend): { map: (typeof MAPS)[number]; key: string } {
  return onAnyAddress(f)
    ? { map: `fe_${f.protocol}_any`, key: `${f.hostPort}` }
    : { map: `fe_${f.protocol}_addr`, key: `${f.hostIp} . ${f.hostPort}` };
}

/** The seed of jhash: fixed, so a daemon restart (a table rebuild) keeps each client on its replica. */
const SEED = '0x504c4201';

/**
 * The rule of a service chain: how a new connection picks its backend chain. With no backend the
 * connection is refused here (TCP reset, ICMP port unreachable for UDP), as on a closed port: the packet
 * is dropped before its conntrack entry is confirmed, so no entry is left to pin the client's source port
 * to the refusal once backends are back (a SYN reusing a tuple the kernel still tracks skips NAT).
 */
export function dispatchRule(s: KernelService): string {
  const n = s.backends.length;
  if (n === 0) return s.frontend.protocol === 'tcp' ? 'reject with tcp reset' : 'reject';
  if (n === 1) return `goto ${s.backends[0]!.tag}`;
  const vmap = `vmap { ${s.backends.map((b, i) => `${i} : goto ${b.tag}`).join(', ')} }`;
  const algorithm = s.frontend.algorithm ?? (s.frontend.protocol === 'udp' ? 'source-hash' : 'round-robin');
  if (algorithm === 'client-affinity') return `jhash ip saddr mod ${n} seed ${SEED} ${vmap}`;
  if (algorithm === 'source-hash') {
    return `jhash ip saddr . ${s.frontend.protocol} sport mod ${n} seed ${SEED} ${vmap}`;
  }
  return `numgen inc mod ${n} ${vmap}`;
}

const backendRule = (b: KernelBackend, protocol: 'tcp' | 'udp'): string =>
  `meta l4proto ${protocol} counter name ${b.tag} dnat to ${b.ip}:${b.port}`;

/**
 * The whole table, replacing any previous one in one transaction (the first line makes the delete work
 * on a fresh host). `counts` carries counters over a rebuild (daemon restart). Hooks run just before
 * Polis's own table (priority -110 vs -100): the first NAT chain that binds a connection wins, so a
 * service's frontend is served here even if a container also published that port.
 */
export function renderTable(
  table: string,
  services: readonly KernelService[],
  counts: ReadonlyMap<string, { packets: number; bytes: number }> = new Map(),
): string {
  const out = [`table ip ${table} {}`, `delete table ip ${table}`, `table ip ${table} {`];
  const elements = new Map<string, string[]>(MAPS.map((m) => [m, []]));
  for (const s of services) {
    const e = frontendElement(s.frontend);
    elements.get(e.map)!.push(`${e.key} : goto ${s.id}`);
  }
  for (const m of MAPS) {
    const type = m.endsWith('_addr') ? 'ipv4_addr . inet_service' : 'inet_service';
    const els = elements.get(m)!;
    out.push(
      `  map ${m} { type ${type} : verdict;${els.length ? ` elements = { ${els.join(', ')} }` : ''} }`,
    );
  }
  for (const s of services) {
    for (const b of s.backends) {
      const c = counts.get(b.tag);
      out.push(`  counter ${b.tag} {${c ? ` packets ${c.packets} bytes ${c.bytes}` : ''} }`);
    }
  }
  for (const s of services) {
    for (const b of s.backends)
      out.push(`  chain ${b.tag} {`, `    ${backendRule(b, s.frontend.protocol)}`, '  }');
    out.push(`  chain ${s.id} {`, `    ${dispatchRule(s)}`, '  }');
  }
  out.push(
    '  chain frontends {',
    '    ip daddr . tcp dport vmap @fe_tcp_addr',
    '    tcp dport vmap @fe_tcp_any',
    '    ip daddr . udp dport vmap @fe_udp_addr',
    '    udp dport vmap @fe_udp_any',
    '  }',
    '  chain prerouting {',
    '    type nat hook prerouting priority dstnat - 10; policy accept;',
    '    fib daddr type local jump frontends',
    '  }',
    '  chain output {',
    '    type nat hook output priority -110; policy accept;',
    '    fib daddr type local jump frontends',
    '  }',
    '}',
  );
  return out.join('\n') + '\n';
}

/**
 * One service's change as a transaction on the live table: new backends get their counter and chain,
 * the service chain is flushed and refilled (one rule, so the swap is atomic), backends that left lose
 * their chain and counter (kept: `keepCounters`, the draining ones), and the frontend's map element
 * follows the frontend (an empty set keeps it: its chain refuses connections, see `dispatchRule`).
 */
export function renderServiceChange(
  table: string,
  before: KernelService | undefined,
  after: KernelService,
  keepCounters: ReadonlySet<string> = new Set(),
): string {
  const t = `ip ${table}`;
  const out: string[] = [];
  const old = new Map((before?.backends ?? []).map((b) => [b.tag, b]));
  for (const b of after.backends) {
    const prev = old.get(b.tag);
    if (!prev && !keepCounters.has(b.tag)) out.push(`add counter ${t} ${b.tag}`);
    if (!prev) out.push(`add chain ${t} ${b.tag}`);
    if (!prev || prev.ip !== b.ip || prev.port !== b.port) {
      out.push(
        `flush chain ${t} ${b.tag}`,
        `add rule ${t} ${b.tag} ${backendRule(b, after.frontend.protocol)}`,
      );
    }
  }
  out.push(
    `add chain ${t} ${after.id}`,
    `flush chain ${t} ${after.id}`,
    `add rule ${t} ${after.id} ${dispatchRule(after)}`,
  );
  const oldEl = before ? frontendElement(before.frontend) : undefined;
  const newEl = frontendElement(after.frontend);
  const moved = oldEl !== undefined && (oldEl.map !== newEl.map || oldEl.key !== newEl.key);
  if (moved) out.push(`delete element ${t} ${oldEl.map} { ${oldEl.key} }`);
  if (!oldEl || moved) out.push(`add element ${t} ${newEl.map} { ${newEl.key} : goto ${after.id} }`);
  const now = new Set(after.backends.map((b) => b.tag));
  for (const tag of old.keys()) {
    if (now.has(tag)) continue;
    out.push(`flush chain ${t} ${tag}`, `delete chain ${t} ${tag}`);
    if (!keepCounters.has(tag)) out.push(`delete counter ${t} ${tag}`);
  }
  return out.map((l) => l + '\n').join('');
}

/** Removes one service: its element, chains and counters (`counters`: also ones kept for draining). */
export function renderServiceRemoval(table: string, s: KernelService, counters: readonly string[]): string {
  const t = `ip ${table}`;
  const e = frontendElement(s.frontend);
  const out = [`delete element ${t} ${e.map} { ${e.key} }`];
  out.push(`flush chain ${t} ${s.id}`, `delete chain ${t} ${s.id}`);
  for (const b of s.backends) out.push(`flush chain ${t} ${b.tag}`, `delete chain ${t} ${b.tag}`);
  for (const c of new Set([...s.backends.map((b) => b.tag), ...counters]))
    out.push(`delete counter ${t} ${c}`);
  return out.map((l) => l + '\n').join('');
}
