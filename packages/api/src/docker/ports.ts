import { invalid } from '../http/errors.js';
import type { Fields } from './fields.js';

/** `80` → `80/tcp`; checks the number and the protocol. */
export function normalizePort(key: string): string {
  const [port = '', proto = 'tcp', ...rest] = key.split('/');
  const range = /^([0-9]+)(?:-([0-9]+))?$/.exec(port);
  const valid = (n: string | undefined): boolean => n === undefined || (Number(n) >= 1 && Number(n) <= 65535);
  if (rest.length > 0 || !range || !valid(range[1]) || !valid(range[2]))
    throw invalid(`invalid port: ${key}`);
  const p = proto.toLowerCase();
  if (!['tcp', 'udp', 'sctp'].includes(p)) throw invalid(`invalid protocol ${proto} for port ${port}`);
  return `${port}/${p}`;
}

export type PortBindings = Record<string, { hostIp: string; hostPort: string }[]>;

/** HostConfig.PortBindings: `{"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}`. */
export function portBindingsFrom(host: Fields): PortBindings {
  const out: PortBindings = {};
  const raw = host.child('PortBindings');
  for (const key of host.keys('PortBindings')) {
    const port = normalizePort(key);
    out[port] = raw.list(key).map((b) => {
      const hostPort = b.str('HostPort') ?? '';
      if (hostPort !== '' && !/^[0-9]+(-[0-9]+)?$/.test(hostPort))
        throw invalid(`invalid host port: ${hostPort}`);
      if (hostPort.split('-').some((n) => n !== '' && (Number(n) < 0 || Number(n) > 65535))) {
        throw invalid(`invalid host port: ${hostPort}`);
      }
      return { hostIp: b.str('HostIp') ?? '', hostPort };
    });
  }
  return out;
}
