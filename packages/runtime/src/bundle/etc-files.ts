import { readFile } from 'node:fs/promises';
import { writeFileAtomic, type ContainerRecord } from '@polis/core';

const HOSTS_BASE = [
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::0\tip6-localnet',
  'ff00::0\tip6-mcastprefix',
  'ff02::1\tip6-allnodes',
  'ff02::2\tip6-allrouters',
];

/** `--add-host name:ip` entries as /etc/hosts lines. */
export function extraHostLines(extraHosts: string[]): string[] {
  return extraHosts.map((h) => {
    const i = h.indexOf(':');
    return i < 0 ? h : `${h.slice(i + 1)}\t${h.slice(0, i)}`;
  });
}

export function hostsFile(extraHosts: string[], ownAddress?: { ip: string; names: string[] }): string {
  const lines = [...HOSTS_BASE, ...extraHostLines(extraHosts)];
  if (ownAddress) lines.push(`${ownAddress.ip}\t${ownAddress.names.join(' ')}`);
  return lines.join('\n') + '\n';
}

/**
 * The host's resolv.conf with loopback name servers dropped (they mean nothing inside another network
 * namespace), then the container's --dns, --dns-search and --dns-option applied, as Docker does.
 */
export function resolvConf(
  hostText: string,
  opts: { dns: string[]; dnsSearch: string[]; dnsOptions: string[] },
): string {
  const lines = hostText.split('\n').map((l) => l.trim());
  const servers = opts.dns.length
    ? opts.dns
    : lines
        .filter((l) => l.startsWith('nameserver'))
        .map((l) => l.split(/\s+/)[1] ?? '')
        .filter((ip) => ip && !/^127\./.test(ip) && ip !== '::1');
  const search = opts.dnsSearch.length
    ? opts.dnsSearch
    : lines.filter((l) => l.startsWith('search')).flatMap((l) => l.split(/\s+/).slice(1));
  const options = opts.dnsOptions.length
    ? opts.dnsOptions
    : lines.filter((l) => l.startsWith('options')).flatMap((l) => l.split(/\s+/).slice(1));
  const out: string[] = [];
  if (search.length) out.push(`search ${search.join(' ')}`);
  for (const s of servers) out.push(`nameserver ${s}`);
  if (options.length) out.push(`options ${options.join(' ')}`);
  return out.join('\n') + '\n';
}

/** Writes the container's /etc/hosts, /etc/hostname and /etc/resolv.conf under its directory. */
export async function writeEtcFiles(record: ContainerRecord): Promise<void> {
  const { network } = record.spec;
  const hostResolv = await readFile('/etc/resolv.conf', 'utf8').catch(() => '');
  const hostHosts = await readFile('/etc/hosts', 'utf8').catch(() => '');
  const hosts =
    network.mode === 'host'
      ? hostHosts + extraHostLines(network.extraHosts).join('\n') + (network.extraHosts.length ? '\n' : '')
      : hostsFile(network.extraHosts);
  const resolv =
    network.mode === 'host' && !network.dns.length && !network.dnsSearch.length && !network.dnsOptions.length
      ? hostResolv
      : resolvConf(hostResolv, network);
  await Promise.all([
    writeFileAtomic(record.paths.hostsPath, hosts),
    writeFileAtomic(record.paths.hostnamePath, `${record.hostname}\n`),
    writeFileAtomic(record.paths.resolvConfPath, resolv),
  ]);
}
