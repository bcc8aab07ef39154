import { isIP } from 'node:net';
import { PolisError } from '@polis/core';
import type { ContainerNetworkInfo, PortBinding } from '../types.js';
import { ephemeralRange, portIsFree } from './probe.js';

export { parsePublish } from './parse.js';

interface Wanted {
  protocol: 'tcp' | 'udp';
  containerPort: number;
  hostIp: string;
  /** '' = random from the ephemeral range; one port; or a range to take the first free port from. */
  hostPorts: { start: number; end: number } | undefined;
  hostPortText: string;
}

/**
 * Docker's port publishing: each port binding of the spec (and with `publishAll` each exposed port
 * that has none) gets a host port — the fixed one, the first free one of a host range, or a random free
 * one from the ephemeral range. A port is free when no binding in `taken` (other containers) or chosen
 * earlier in this call overlaps it and a socket can be bound to it on the host right now.
 */
export async function resolveBindings(
  container: ContainerNetworkInfo,
  taken: PortBinding[],
): Promise<PortBinding[]> {
  const chosen: PortBinding[] = [];
  for (const w of wanted(container)) {
    chosen.push(await allocate(w, [...taken, ...chosen]));
  }
  return chosen;
}

function wanted(container: ContainerNetworkInfo): Wanted[] {
  const out: Wanted[] = [];
  for (const [key, bindings] of Object.entries(container.portBindings)) {
    const { protocol, containerPort } = parseKey(key);
    for (const b of bindings ?? []) out.push(want(protocol, containerPort, b.hostIp ?? '', b.hostPort ?? ''));
  }
  if (container.publishAll) {
    const bound = new Set(out.map((w) => `${w.containerPort}/${w.protocol}`));
    for (const key of container.exposedPorts) {
      const { protocol, containerPort } = parseKey(key);
      if (bound.has(`${containerPort}/${protocol}`)) continue;
      bound.add(`${containerPort}/${protocol}`);
      out.push(want(protocol, containerPort, '', ''));
    }
  }
  return out;
}

function want(protocol: 'tcp' | 'udp', containerPort: number, hostIp: string, hostPort: string): Wanted {
  if (hostIp !== '' && isIP(hostIp) === 0) invalid(`invalid IP address: ${hostIp}`);
  if (hostPort === '' || hostPort === '0')
    return { protocol, containerPort, hostIp, hostPorts: undefined, hostPortText: '' };
  const m = /^(\d+)(?:-(\d+))?$/.exec(hostPort);
  const start = Number(m?.[1]);
  const end = m?.[2] === undefined ? start : Number(m[2]);
  if (!m || start < 1 || end > 65535 || end < start) invalid(`invalid hostPort: ${hostPort}`);
  return { protocol, containerPort, hostIp, hostPorts: { start, end }, hostPortText: hostPort };
}

async function allocate(w: Wanted, taken: PortBinding[]): Promise<PortBinding> {
  const shown = w.hostIp === '' ? '0.0.0.0' : w.hostIp;
  const binding = (hostPort: number): PortBinding => ({
    protocol: w.protocol,
    containerPort: w.containerPort,
    hostIp: w.hostIp,
    hostPort,
  });
  if (w.hostPorts && w.hostPorts.start === w.hostPorts.end) {
    const port = w.hostPorts.start;
    if (overlaps(binding(port), taken) || !(await portIsFree(w.protocol, w.hostIp, port))) {
      throw new PolisError(
        'network.port_in_use',
        `Bind for ${shown}:${port} failed: port is already allocated`,
        {
          context: { hostIp: w.hostIp, hostPort: port, protocol: w.protocol },
        },
      );
    }
    return binding(port);
  }
  const range = w.hostPorts ?? ephemeralRange();
  const size = range.end - range.start + 1;
  // A host range is searched from its start (docker's "first free"); random ports start anywhere, so
  // that containers started side by side rarely race for the same port.
  const offset = w.hostPorts ? 0 : Math.floor(Math.random() * size);
  for (let i = 0; i < size; i++) {
    const port = range.start + ((offset + i) % size);
    if (overlaps(binding(port), taken)) continue;
    if (await portIsFree(w.protocol, w.hostIp, port)) return binding(port);
  }
  const where = w.hostPorts ? `${shown}:${w.hostPortText}` : `${shown}:${range.start}-${range.end}`;
  throw new PolisError('network.port_in_use', `Bind for ${where} failed: all ports are allocated`, {
    context: { hostIp: w.hostIp, range, protocol: w.protocol },
  });
}

const WILDCARDS = new Set(['', '0.0.0.0', '::']);

function overlaps(b: PortBinding, taken: PortBinding[]): boolean {
  return taken.some(
    (t) =>
      t.protocol === b.protocol &&
      t.hostPort === b.hostPort &&
      (WILDCARDS.has(t.hostIp) || WILDCARDS.has(b.hostIp) || t.hostIp === b.hostIp),
  );
}

function parseKey(key: string): { protocol: 'tcp' | 'udp'; containerPort: number } {
  const [port = '', proto = 'tcp'] = key.split('/');
  const protocol = proto.toLowerCase();
  if (protocol !== 'tcp' && protocol !== 'udp') invalid(`unsupported protocol in port ${key}`);
  const containerPort = Number(port);
  if (!/^\d+$/.test(port) || containerPort < 1 || containerPort > 65535)
    invalid(`invalid containerPort: ${key}`);
  return { protocol, containerPort };
}

function invalid(message: string): never {
  throw new PolisError('network.invalid', message);
}
