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

/** Bindings on all addresses (`''`, `0.0.0.0`) match any local address; IPv6 ones are not ours here. */
function portRule(p: FirewallState['ports'][number]): string | undefined {
  if (parseAddress(p.containerIp)?.family !== 4) return undefined;
  let daddr = '';
  if (p.hostIp !== '' && p.hostIp !== '0.0.0.0') {
    if (parseAddress(p.hostIp)?.family !== 4) return undefined;
    daddr = `ip daddr ${p.hostIp} `;
  }
  return `${daddr}${p.protocol} dport ${p.hostPort} dnat to ${p.containerIp}:${p.containerPort}`;
}

/**
 * The whole `ip <table>` as one nft script that replaces the previous table atomically: the first
 * line makes sure there is a table to delete, so the script works on a fresh host too.
 *
 * - ports: one DNAT per published port, reached from prerouting and output for local destinations.
 * - postrouting: masquerade what leaves a non-internal subnet through another interface; DNAT'd
 *   traffic from the host itself (127.0.0.1 needs route_localnet on the bridge) and DNAT'd traffic that
 *   goes back out of the bridge it came from (hairpin: a container reaching a published port of its
 *   own network through a host address), so replies come back through the NAT.
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
  out.push('  chain ports {');
  for (const p of state.ports) {
    const rule = portRule(p);
    if (rule) out.push(`    ${rule}`);
  }
  out.push('  }');
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
    out.push(`    ct status dnat iifname ${q(n.bridge)} oifname ${q(n.bridge)} masquerade`);
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
