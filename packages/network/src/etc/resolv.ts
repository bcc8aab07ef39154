import { isIPv6 } from 'node:net';

export interface ResolvInput {
  /** The host's resolv.conf text. */
  host: string;
  /** The embedded DNS server(s) on user networks; empty on the default bridge. */
  nameservers: string[];
  dns: string[];
  dnsSearch: string[];
  dnsOptions: string[];
  /** The container has IPv6: keep the host's IPv6 name servers (docker drops them otherwise). */
  ipv6?: boolean;
}

export interface ResolvConf {
  nameservers: string[];
  search: string[];
  options: string[];
}

const FALLBACK = ['8.8.8.8', '8.8.4.4'];

/**
 * A container's resolv.conf, by docker's rules. Without flags or embedded DNS it is the host's file with
 * loopback (127.x, ::1) and, without IPv6, IPv6 name servers removed — 8.8.8.8/8.8.4.4 when none are
 * left; `--dns`, `--dns-search` and `--dns-option` replace the host's servers, search list and options.
 * With the embedded DNS, its servers replace the others (the DNS server forwards to `upstreamServers`)
 * and `ndots:0` is added unless an ndots option was given.
 */
export function resolvConf(input: ResolvInput): string {
  const embedded = input.nameservers.length > 0;
  const flags = input.dns.length > 0 || input.dnsSearch.length > 0 || input.dnsOptions.length > 0;
  if (!embedded && !flags) return filterHost(input.host, input.ipv6 ?? false);
  const host = parseResolvConf(input.host);
  const search = input.dnsSearch.length ? input.dnsSearch : host.search;
  const options = input.dnsOptions.length ? [...input.dnsOptions] : [...host.options];
  if (embedded && !options.some((o) => o.startsWith('ndots:'))) options.push('ndots:0');
  const servers = embedded ? input.nameservers : upstreamServers(input);
  const lines: string[] = [];
  // `--dns-search .` means no search domains at all.
  if (search.length && search.join(' ').trim() !== '.') lines.push(`search ${search.join(' ')}`);
  for (const s of servers) lines.push(`nameserver ${s}`);
  if (options.length) lines.push(`options ${options.join(' ')}`);
  return lines.join('\n') + '\n';
}

/** The servers a container's lookups go to: `--dns`, else the host's usable ones, else Google's. */
export function upstreamServers(input: Pick<ResolvInput, 'host' | 'dns' | 'ipv6'>): string[] {
  if (input.dns.length) return input.dns;
  const usable = parseResolvConf(input.host).nameservers.filter((s) => keep(s, input.ipv6 ?? false));
  return usable.length ? usable : FALLBACK;
}

/** The name servers, search domains and options of a resolv.conf (the last search/options line wins). */
export function parseResolvConf(text: string): ResolvConf {
  const out: ResolvConf = { nameservers: [], search: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [key, ...values] = line.split(/\s+/);
    if (key === 'nameserver' && values[0]) out.nameservers.push(values[0]);
    else if (key === 'search' || key === 'domain') out.search = values;
    else if (key === 'options') out.options = values;
  }
  return out;
}

function filterHost(text: string, ipv6: boolean): string {
  const kept = text.split('\n').filter((raw) => {
    const m = /^\s*nameserver\s+(\S+)\s*$/.exec(raw);
    return !m || keep(m[1]!, ipv6);
  });
  let out = kept.join('\n').replace(/\n*$/, '\n');
  if (out.trim() === '') out = '';
  if (parseResolvConf(out).nameservers.length === 0) out += FALLBACK.map((s) => `nameserver ${s}\n`).join('');
  return out;
}

function keep(server: string, ipv6: boolean): boolean {
  if (/^127\./.test(server) || server === '::1') return false;
  return ipv6 || !isIPv6(server.replace(/%.*$/, ''));
}
