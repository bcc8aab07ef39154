import { readFile } from 'node:fs/promises';
import { writeFileAtomic, type ContainerRecord } from '@polis/core';
import { extraHostLines, hostResolvConfText, hostsFile, resolvConf } from '@polis/network';

const ETC_MODE = 0o644;

/**
 * Writes the container's /etc/hosts, /etc/hostname and /etc/resolv.conf under its directory, before
 * it is created. On a Polis network they are written again once its addresses are known.
 */
export async function writeEtcFiles(record: ContainerRecord): Promise<void> {
  const { network } = record.spec;
  const hostResolv = await hostResolvConfText();
  const hostMode = network.mode === 'host';
  const hosts = hostMode
    ? (await readFile('/etc/hosts', 'utf8').catch(() => '')) + extraLines(network.extraHosts)
    : hostsFile({ hostname: record.hostname, addresses: [], extraHosts: network.extraHosts });
  const resolv =
    hostMode && !network.dns.length && !network.dnsSearch.length && !network.dnsOptions.length
      ? hostResolv
      : resolvConf({ host: hostResolv, nameservers: [], ...network });
  // 0644: bind-mounted into the container, where any user of it reads them (as in any /etc). No fsync:
  // they are written again at every start (three fsyncs on the data root cost a start ~10–20 ms).
  const made = { durable: false };
  await Promise.all([
    writeFileAtomic(record.paths.hostsPath, hosts, ETC_MODE, made),
    writeFileAtomic(record.paths.hostnamePath, `${record.hostname}\n`, ETC_MODE, made),
    writeFileAtomic(record.paths.resolvConfPath, resolv, ETC_MODE, made),
  ]);
}

function extraLines(extraHosts: string[]): string {
  const lines = extraHostLines(extraHosts);
  return lines.length > 0 ? lines.join('\n') + '\n' : '';
}
