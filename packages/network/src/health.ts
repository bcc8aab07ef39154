import { readFile } from 'node:fs/promises';
import { healthy, proc, unhealthy, type HealthCheck, type HealthResult } from '@polis/core';
import type { EmbeddedDns } from './dns/server.js';
import type { NetworkContext } from './networks/context.js';

const DNS_TIMEOUT_MS = 500;

const repair = (network: string): string =>
  `restart polisd (at start it recreates missing bridges and puts containers' veths back on them), or for a network without containers polis network rm ${network} && polis network create ${network}`;

async function bridges(ctx: NetworkContext): Promise<HealthResult> {
  const bad: string[] = [];
  const all = ctx.networks.all();
  for (const n of all) {
    const state = await readFile(`/sys/class/net/${n.bridge}/operstate`, 'utf8').then(
      (s) => s.trim(),
      () => 'missing',
    );
    // A bridge with no port up reports `down` though it is administratively up: read its flags instead.
    const flags = await readFile(`/sys/class/net/${n.bridge}/flags`, 'utf8').then(
      (s) => Number.parseInt(s.trim(), 16),
      () => 0,
    );
    if (state === 'missing') bad.push(`${n.name} (bridge ${n.bridge} missing)`);
    else if ((flags & 1) === 0) bad.push(`${n.name} (bridge ${n.bridge} down)`);
  }
  if (bad.length === 0) return healthy(`${all.length} bridges up`);
  const first = bad[0]!.split(' ')[0]!;
  return unhealthy(`network ${bad.join(', ')}`, repair(first));
}

async function firewall(ctx: NetworkContext): Promise<HealthResult> {
  const r = await proc.run('nft', ['list', 'table', 'ip', ctx.table], { okCodes: [0, 1], timeoutMs: 2000 });
  if (r.code === 0) return healthy(`nftables table ip ${ctx.table} present`);
  return unhealthy(
    `nftables table ip ${ctx.table} missing`,
    'restart polisd (it rebuilds the table at start); published ports and isolation do not work meanwhile',
  );
}

async function dnsServers(ctx: NetworkContext, dns: EmbeddedDns): Promise<HealthResult> {
  const addresses = dns.served();
  const answered = await Promise.all(addresses.map((a) => dns.probe(a, DNS_TIMEOUT_MS)));
  const silent = addresses.filter((_, i) => !answered[i]);
  if (silent.length === 0) return healthy(`${addresses.length} DNS servers answering`);
  const names = silent.map((a) => ctx.networks.all().find((n) => n.gateway === a)?.name ?? a);
  return unhealthy(
    `DNS server of network ${names.join(', ')} not answering (${silent.join(', ')})`,
    repair(names[0]!),
  );
}

export function networkHealthChecks(ctx: NetworkContext, dns?: EmbeddedDns): HealthCheck[] {
  const out: HealthCheck[] = [
    { component: 'network', name: 'bridges', run: () => bridges(ctx) },
    { component: 'network', name: 'firewall', run: () => firewall(ctx) },
  ];
  if (dns) out.push({ component: 'network', name: 'dns', run: () => dnsServers(ctx, dns) });
  return out;
}
