import { isIP } from 'node:net';
import { PolisError } from '@polis/core';

export interface HostsInput {
  hostname: string;
  domainname?: string;
  /** The container's own addresses, one per endpoint, with the names each should carry. */
  addresses: { ip: string; names: string[] }[];
  /** `--add-host` values: `name:ip` or `name=ip`; the ip may be `host-gateway`. */
  extraHosts: string[];
  /** What `host-gateway` stands for (the first endpoint's gateway). */
  hostGateway?: string;
}

const LOCALHOST = [
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::0\tip6-localnet',
  'ff00::0\tip6-mcastprefix',
  'ff02::1\tip6-allnodes',
  'ff02::2\tip6-allrouters',
];

/**
 * A container's /etc/hosts as docker writes it: the localhost block, the `--add-host` entries, then each
 * of the container's addresses with its (fully qualified) hostname and the given names. Docker puts the
 * extra hosts before the container's own line, so an `--add-host` of the container's own name wins.
 */
export function hostsFile(input: HostsInput): string {
  const lines = [...LOCALHOST, ...extraHostLines(input.extraHosts, input.hostGateway)];
  const own = input.domainname ? [`${input.hostname}.${input.domainname}`, input.hostname] : [input.hostname];
  for (const { ip, names } of input.addresses) {
    const all = [...new Set([...own, ...names].filter((n) => n !== ''))];
    lines.push(`${ip}\t${all.join(' ')}`);
  }
  return lines.join('\n') + '\n';
}

/** `--add-host` entries as hosts lines (`ip\tname`), checked as docker checks them. */
export function extraHostLines(extraHosts: string[], hostGateway?: string): string[] {
  return extraHosts.map((entry) => {
    const { name, ip } = splitExtraHost(entry);
    if (ip === 'host-gateway') {
      if (!hostGateway) {
        throw new PolisError('network.invalid', `unable to derive the IP value for host-gateway in ${entry}`);
      }
      return `${hostGateway}\t${name}`;
    }
    return `${ip}\t${name}`;
  });
}

function splitExtraHost(entry: string): { name: string; ip: string } {
  // `name=ip` (docker 25+) lets the ip be bracketed IPv6; `name:ip` splits at the first colon.
  const cut = entry.includes('=') ? entry.indexOf('=') : entry.indexOf(':');
  const name = cut < 0 ? '' : entry.slice(0, cut);
  let ip = cut < 0 ? '' : entry.slice(cut + 1);
  if (ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
  if (name === '' || /\s/.test(name) || (ip !== 'host-gateway' && isIP(ip) === 0)) {
    throw new PolisError(
      'network.invalid',
      `invalid argument "${entry}" for "--add-host" flag: invalid IP address`,
    );
  }
  return { name, ip };
}
