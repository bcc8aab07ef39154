import { PolisError } from '@polis/core';
import type { ComposePortLike } from './compose-like.js';

export interface PortMapping {
  target: number;
  /** The host port; undefined when compose would pick one at random. */
  published?: number;
  protocol: 'TCP' | 'UDP' | 'SCTP';
}

const range = (text: string, what: string): number[] => {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text.trim());
  const from = Number(m?.[1]);
  const to = m?.[2] === undefined ? from : Number(m[2]);
  if (!m || from < 1 || to > 65535 || to < from)
    throw new PolisError('request.invalid', `${what}: invalid port ${JSON.stringify(text)}`);
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
};

const protocolOf = (text: string | undefined, what: string): PortMapping['protocol'] => {
  const p = (text ?? 'tcp').toUpperCase();
  if (p !== 'TCP' && p !== 'UDP' && p !== 'SCTP')
    throw new PolisError('request.invalid', `${what}: invalid protocol ${JSON.stringify(text)}`);
  return p;
};

/**
 * A service's `ports` in either syntax → one mapping per container port: "80", "8080:80", "127.0.0.1:8080:80/udp",
 * "[::1]:8000-8001:80-81", {target, published, protocol}. The host address has no Kubernetes equivalent and
 * is dropped.
 */
export function parsePorts(
  ports: readonly (string | number | ComposePortLike)[],
  what: string,
): PortMapping[] {
  const out: PortMapping[] = [];
  for (const entry of ports) {
    if (typeof entry === 'object' && entry !== null) {
      const targets = range(String(entry.target ?? ''), what);
      const published =
        entry.published === undefined || entry.published === ''
          ? undefined
          : range(String(entry.published), what);
      const protocol = protocolOf(entry.protocol, what);
      targets.forEach((target, i) =>
        out.push({
          target,
          protocol,
          ...(published ? { published: published[Math.min(i, published.length - 1)] as number } : {}),
        }),
      );
      continue;
    }
    let text = String(entry).trim();
    let protocol: PortMapping['protocol'] = 'TCP';
    const slash = text.lastIndexOf('/');
    if (slash >= 0) {
      protocol = protocolOf(text.slice(slash + 1), what);
      text = text.slice(0, slash);
    }
    if (text.startsWith('[')) text = text.slice(text.indexOf(']') + 2); // "[::1]:8000:80" → "8000:80"
    const parts = text.split(':');
    if (parts.length > 3)
      throw new PolisError('request.invalid', `${what}: invalid port ${JSON.stringify(entry)}`);
    if (parts.length === 3) parts.shift(); // the host address
    const targets = range(parts.at(-1) as string, what);
    const published = parts.length === 2 && parts[0] !== '' ? range(parts[0] as string, what) : undefined;
    if (published && published.length !== targets.length && published.length !== 1)
      throw new PolisError(
        'request.invalid',
        `${what}: port ranges of different lengths in ${JSON.stringify(entry)}`,
      );
    targets.forEach((target, i) =>
      out.push({
        target,
        protocol,
        ...(published ? { published: published[Math.min(i, published.length - 1)] as number } : {}),
      }),
    );
  }
  return out;
}
