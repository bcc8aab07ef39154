import { parseAddress } from '../ipam/cidr.js';

/** What the firewall is built from: the networks' bridges and the published ports. */
export interface FirewallState {
  networks: { bridge: string; subnet: string; internal: boolean }[];
  ports: {
    protocol: 'tcp' | 'udp';
    hostIp: string;
    hostPort: number;
    containerIp: string;
    containerPort: number;
  }[];
}

const q = (name: string): string => JSON.stringify(name);

export type PublishedPort = FirewallState['ports'][number];

/** The four DNAT maps: by protocol, keyed by port alone (all host addresses) or by address and port. */
const MAPS = ['tcp_addr', 'tcp_any', 'udp_addr', 'udp_any'] as const;
type MapName = (typeof MAPS)[number];

/**
 * Where a binding goes: its map, its key and its value. Bindings on all addresses (`''`, `0.0.0.0`)
 * match any local address; IPv6 ones have no place in this IPv4 table.
 */
function mapEntry(p: PublishedPort): { map: MapName; key: string; value: string } | undefined {
  if (parseAddress(p.containerIp)?.family !== 4) return undefined;
  const value = `${p.containerIp} . ${p.containerPort}`;
  if (p.hostIp === '' || p.hostIp === '0.0.0.0')
    return { map: `${p.protocol}_any`, key: `${p.hostPort}`, value };
  if (parseAddress(p.hostIp)?.family !== 4) return undefined;
  return { map: `${p.protocol}_addr`, key: `${p.hostIp} . ${p.hostPort}`, value };
}

function mapDecl(name: MapName, elements: string[]): string {
  const key = name.endsWith('_addr') ? 'ipv4_addr . inet_service' : 'inet_service';
  const els = elements.length > 0 ? ` elements = { ${elements.join(', ')} }` : '';
  return `  map ${name} { type ${key} : ipv4_addr . inet_service;${els} }`;
}

/**
 * Adds or deletes published ports as map elements, without rebuilding the table: an addition costs
 * no more than starting nft (a table rebuild waits for the kernel's RCU grace period, ~15 ms here).
 * Returns '' when no binding belongs in this table.
 */
export function renderPortChange(
  table: string,
  op: 'add' | 'delete',
  ports: readonly PublishedPort[],
): string {
  return ports
    .map(mapEntry)
    .filter((e) => e !== undefined)
    .map((e) => `${op} element ip ${table} ${e.map} { ${op === 'add' ? `${e.key} : ${e.value}` : e.key} }\n`)
    .join('');
}

/**
 * The whole `ip <table>` as one nft script that replaces the previous table atomically: the first
 * line makes sure there is a table to delete, so the script works on a fresh host too.
 *
 * - ports: DNAT through maps of published ports (see renderPortChange), reached from prerouting and
 *   output for local destinations; bindings to one host address are looked up before those to all.
 * - postrouting: masquerade what leaves a non-internal subnet through another interface; DNAT'd
 *   traffic from the host itself (127.0.0.1 needs route_localnet on the bridge) and DNAT'd traffic from
 *   a subnet back into its own bridge (hairpin: a container reaching a published port of its own
 *   network through a host address), so replies come back through the NAT. The hairpin rule matches
 *   on the source subnet, not iifname: with br_netfilter loaded the DNAT'd packet is bridged and
 *   postrouting sees no input interface.
 * - forward: established first; internal networks talk only within their bridge; published ports
 *   are reachable from anywhere else; otherwise no traffic between two Polis bridges.
 */
export function renderFirewall(table: string, state: FirewallState): string {
  const bridges = state.networks.map((n) => n.bridge);
  const out: string[] = [`table ip ${table} {}`, `delete table ip ${table}`, `table ip ${table} {`];
  if (bridges.length > 0) {
    out.push(`  set bridges { type ifname; elements = { ${bridges.map(q).join(', ')} } }`);
  } else {
    out.push('  set bridges { type ifname; }');
  }
  const elements = new Map<MapName, string[]>(MAPS.map((m) => [m, []]));
  for (const p of state.ports) {
    const e = mapEntry(p);
    if (e) elements.get(e.map)!.push(`${e.key} : ${e.value}`);
  }
  for (const m of MAPS) out.push(mapDecl(m, elements.get(m)!));
  out.push(
    '  chain ports {',
    '    dnat ip to ip daddr . tcp dport map @tcp_addr',
    '    dnat ip to tcp dport map @tcp_any',
    '    dnat ip to ip daddr . udp dport map @udp_addr',
    '    dnat ip to udp dport map @udp_any',
    '  }',
  );
  out.push(
    '  chain prerouting {',
    '    type nat hook prerouting priority dstnat; policy accept;',
    '    fib daddr type local jump ports',
    '  }',
    '  chain output {',
    '    type nat hook output priority -100; policy accept;',
    '    fib daddr type local jump ports',
    '  }',
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    '    ct status dnat oifname @bridges fib saddr type local masquerade',
  );
  for (const n of state.networks) {
    out.push(`    ct status dnat ip saddr ${n.subnet} oifname ${q(n.bridge)} masquerade`);
    if (!n.internal) out.push(`    ip saddr ${n.subnet} oifname != ${q(n.bridge)} masquerade`);
  }
  out.push(
    '  }',
    '  chain forward {',
    '    type filter hook forward priority filter; policy accept;',
    '    ct state established,related accept',
  );
  for (const n of state.networks.filter((x) => x.internal)) {
    out.push(`    iifname ${q(n.bridge)} oifname != ${q(n.bridge)} drop`);
    out.push(`    oifname ${q(n.bridge)} iifname != ${q(n.bridge)} drop`);
  }
  out.push('    ct status dnat accept');
  for (const n of state.networks.filter((x) => !x.internal)) {
    out.push(`    iifname ${q(n.bridge)} oifname != ${q(n.bridge)} oifname @bridges drop`);
  }
  out.push('  }', '}');
  return out.join('\n') + '\n';
}
