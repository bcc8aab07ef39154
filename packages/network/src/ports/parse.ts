import { isIP } from 'node:net';
import { PolisError } from '@polis/core';

export type PublishSpec = Record<string, { hostIp: string; hostPort: string }[]>;

/**
 * Parses docker's `-p` values into the container spec's port-binding map, with docker's rules and
 * wording: `[ip:][hostPort:]containerPort[/proto]`, ranges on either side (equal lengths, or a host range
 * for one container port, which the allocator treats as "first free"), IPv6 host IPs in brackets, and
 * the long form `published=8080,target=80,protocol=udp`.
 */
export function parsePublish(specs: string[]): PublishSpec {
  const out: PublishSpec = {};
  for (const spec of specs) {
    for (const m of spec.includes('=') ? parseLong(spec) : parseShort(spec)) {
      (out[m.key] ??= []).push(m.binding);
    }
  }
  return out;
}

interface Mapping {
  key: string;
  binding: { hostIp: string; hostPort: string };
}

function parseShort(spec: string): Mapping[] {
  const [rawIp, hostPort, rawContainer] = splitParts(spec);
  let hostIp = rawIp;
  if (hostIp.startsWith('[') && hostIp.endsWith(']')) hostIp = hostIp.slice(1, -1);
  if (hostIp !== '' && isIP(hostIp) === 0) invalid(`invalid IP address: ${rawIp}`);
  const slash = rawContainer.indexOf('/');
  const containerPart = slash < 0 ? rawContainer : rawContainer.slice(0, slash);
  const proto = slash < 0 ? 'tcp' : rawContainer.slice(slash + 1).toLowerCase();
  if (containerPart === '') invalid(`no port specified: ${rawContainer}<empty>`);
  checkProto(proto);
  const container = parseRange(containerPart, 1) ?? invalid(`invalid containerPort: ${containerPart}`);
  const host =
    hostPort === '' ? undefined : (parseRange(hostPort, 0) ?? invalid(`invalid hostPort: ${hostPort}`));
  const count = container.end - container.start + 1;
  if (host && host.end - host.start + 1 !== count && count !== 1) {
    invalid(`invalid ranges specified for container and host Ports: ${containerPart} and ${hostPort}`);
  }
  const mappings: Mapping[] = [];
  for (let i = 0; i < count; i++) {
    let hostValue = '';
    if (host) {
      // One container port with a host range: the range is where the allocator looks for a free port.
      hostValue =
        count === 1 && host.end !== host.start ? `${host.start}-${host.end}` : String(host.start + i);
    }
    mappings.push({ key: `${container.start + i}/${proto}`, binding: { hostIp, hostPort: hostValue } });
  }
  return mappings;
}

/** docker's splitParts: the last part is the container port, the one before the host port, the rest the IP. */
function splitParts(spec: string): [string, string, string] {
  const parts = spec.split(':');
  const n = parts.length;
  const container = parts[n - 1]!;
  if (n === 1) return ['', '', container];
  if (n === 2) return ['', parts[0]!, container];
  return [parts.slice(0, n - 2).join(':'), parts[n - 2]!, container];
}

function parseLong(spec: string): Mapping[] {
  let target = '';
  let published = '';
  let proto = 'tcp';
  let hostIp = '';
  for (const field of spec.split(',')) {
    const eq = field.indexOf('=');
    if (eq < 0) invalid(`invalid field ${JSON.stringify(field)} must be a key=value pair`);
    const key = field.slice(0, eq).trim().toLowerCase();
    const value = field.slice(eq + 1).trim();
    if (key === 'target') target = value;
    else if (key === 'published') published = value;
    else if (key === 'protocol') proto = value.toLowerCase();
    else if (key === 'host_ip') hostIp = value;
    else if (key === 'mode') {
      if (value !== 'ingress' && value !== 'host')
        invalid(`invalid publish mode value (${value}); must be either ingress or host`);
    } else invalid(`invalid field key ${key}`);
  }
  if (target === '') invalid('missing mandatory field "target"');
  if (published.includes(':') || target.includes(':')) invalid(`invalid port in ${spec}`);
  const ip = hostIp.includes(':') && !hostIp.startsWith('[') ? `[${hostIp}]` : hostIp;
  return parseShort(`${ip}:${published}:${target}/${proto}`);
}

function parseRange(text: string, min: number): { start: number; end: number } | undefined {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!m) return undefined;
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  if (start < min || end > 65535 || end < start) return undefined;
  return { start, end };
}

function checkProto(proto: string): void {
  if (proto === 'sctp') invalid('publishing sctp ports is not supported');
  if (proto !== 'tcp' && proto !== 'udp') invalid(`invalid proto: ${proto}`);
}

function invalid(message: string): never {
  throw new PolisError('network.invalid', message);
}
