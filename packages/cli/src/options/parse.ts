/** Parsers for the values of container flags, with docker's rules and messages. */
import type { PortBinding, RestartPolicy, UlimitSpec } from '@polis/sdk/engine';

const RESTART_NAMES = new Set(['no', 'always', 'on-failure', 'unless-stopped']);

/** `no`, `always`, `unless-stopped`, `on-failure[:max-retries]`. */
export function parseRestartPolicy(text: string): RestartPolicy {
  if (text === '') return { Name: '' };
  const [name, count, extra] = text.split(':') as [string, string | undefined, string | undefined];
  if (extra !== undefined || !RESTART_NAMES.has(name))
    throw new Error(`invalid restart policy format: ${text}`);
  if (count === undefined) return { Name: name as RestartPolicy['Name'] };
  if (name !== 'on-failure')
    throw new Error(`maximum retry count cannot be used with restart policy '${name}'`);
  if (!/^\d+$/.test(count))
    throw new Error(`invalid restart policy format: maximum retry count must be an integer`);
  return { Name: 'on-failure', MaximumRetryCount: Number(count) };
}

const ULIMIT_NAMES = new Set([
  'core',
  'cpu',
  'data',
  'fsize',
  'locks',
  'memlock',
  'msgqueue',
  'nice',
  'nofile',
  'nproc',
  'rss',
  'rtprio',
  'rttime',
  'sigpending',
  'stack',
]);

/** `name=soft[:hard]` (go-units `ParseUlimit`); hard defaults to soft. */
export function parseUlimit(text: string): UlimitSpec {
  const eq = text.indexOf('=');
  if (eq < 0) throw new Error(`invalid ulimit argument: ${text}`);
  const name = text.slice(0, eq);
  if (!ULIMIT_NAMES.has(name)) throw new Error(`invalid ulimit type: ${name}`);
  const parts = text.slice(eq + 1).split(':');
  if (parts.length > 2)
    throw new Error(
      `too many limit value arguments - ${text.slice(eq + 1)}, can only have up to two, \`soft[:hard]\``,
    );
  const num = (s: string): number => {
    if (!/^-?\d+$/.test(s)) throw new Error(`invalid ulimit argument: ${text}`);
    return Number(s);
  };
  const soft = num(parts[0] as string);
  const hard = parts[1] === undefined ? soft : num(parts[1]);
  if (soft > hard)
    throw new Error(`ulimit soft limit must be less than or equal to hard limit: ${soft} > ${hard}`);
  return { Name: name, Soft: soft, Hard: hard };
}

/** `--cpus 1.5` → NanoCpus (exact decimal arithmetic, as docker's `ParseCPUs`). */
export function parseCpus(text: string): number {
  const m = /^(\d*)(?:\.(\d{0,9}))?$/.exec(text);
  if (!m || text === '' || text === '.') throw new Error(`failed to parse ${text} as a rational number`);
  return Number(m[1] || '0') * 1e9 + Number((m[2] ?? '').padEnd(9, '0'));
}

/**
 * `-p [ip:][hostPort:]containerPort[/proto]` → exposed port key and binding (docker's `nat.ParsePortSpec`,
 * single ports and equal-length ranges).
 */
export function parsePublish(text: string): { port: string; binding: PortBinding }[] {
  const slash = text.lastIndexOf('/');
  const proto = slash >= 0 ? text.slice(slash + 1) : 'tcp';
  const spec = slash >= 0 ? text.slice(0, slash) : text;
  if (!['tcp', 'udp', 'sctp'].includes(proto)) throw new Error(`invalid proto: ${proto}`);
  let ip = '';
  let hostPart = '';
  let containerPart: string;
  const bracket = /^\[([^\]]+)\]:(.*)$/.exec(spec);
  const parts = bracket ? [bracket[1] as string, ...(bracket[2] as string).split(':')] : spec.split(':');
  if (parts.length === 1) containerPart = parts[0] as string;
  else if (parts.length === 2) [hostPart, containerPart] = parts as [string, string];
  else if (parts.length === 3) [ip, hostPart, containerPart] = parts as [string, string, string];
  else throw new Error(`invalid port format for --publish: ${text}`);
  const range = (s: string): [number, number] => {
    const m = /^(\d+)(?:-(\d+))?$/.exec(s);
    if (!m) throw new Error(`invalid containerPort: ${s}`);
    return [Number(m[1]), Number(m[2] ?? m[1])];
  };
  const [c0, c1] = range(containerPart);
  const [h0, h1] = hostPart === '' ? [0, 0] : range(hostPart);
  if (hostPart !== '' && h1 - h0 !== c1 - c0 && h0 !== h1)
    throw new Error(
      `invalid ranges specified for container and host Ports: ${containerPart} and ${hostPart}`,
    );
  const out: { port: string; binding: PortBinding }[] = [];
  for (let p = c0; p <= c1; p++) {
    const hostPort = hostPart === '' ? '' : String(h0 === h1 ? h0 : h0 + (p - c0));
    out.push({ port: `${p}/${proto}`, binding: { HostIp: ip, HostPort: hostPort } });
  }
  return out;
}
