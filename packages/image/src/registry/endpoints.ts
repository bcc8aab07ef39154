import { isIP } from 'node:net';
import { PolisError } from '@polis/core';

/** Where and how to reach a registry. */
export interface Endpoint {
  base: URL;
  /** Certificates are not checked, and plain HTTP is tried when TLS fails (Docker's insecure registries). */
  insecure: boolean;
  mirror: boolean;
}

export interface RegistryConfig {
  /** `host[:port]` or IPv4 CIDRs whose registries may use plain HTTP or unverified TLS. */
  insecureRegistries?: string[];
  /** Mirrors for Docker Hub (`https://mirror.example`), tried in order before Docker Hub itself. */
  mirrors?: string[];
}

const DOCKER_HUB = 'registry-1.docker.io';

/** The endpoints to try for a reference's domain, in order. */
export function endpointsFor(domain: string, config: RegistryConfig, purpose: 'pull' | 'push'): Endpoint[] {
  if (domain === 'docker.io') {
    const mirrors =
      purpose === 'pull'
        ? (config.mirrors ?? []).map((m) => {
            const base = parseMirror(m);
            return { base, insecure: isInsecure(base.host, config), mirror: true };
          })
        : [];
    return [...mirrors, { base: new URL(`https://${DOCKER_HUB}`), insecure: false, mirror: false }];
  }
  const insecure = isInsecure(domain, config);
  return [{ base: new URL(`https://${domain}`), insecure, mirror: false }];
}

function parseMirror(raw: string): URL {
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    return url;
  } catch {
    throw new PolisError('request.invalid', `invalid registry mirror: ${raw}`);
  }
}

/** Loopback registries are always insecure, as in Docker; others only when listed. */
export function isInsecure(host: string, config: RegistryConfig): boolean {
  const hostname = stripPort(host);
  if (hostname === 'localhost' || hostname === '::1' || /^127\./.test(hostname)) return true;
  for (const entry of config.insecureRegistries ?? []) {
    if (entry === host || entry === hostname) return true;
    if (entry.includes('/') && isIP(hostname) === 4 && inCidr(hostname, entry)) return true;
  }
  return false;
}

function stripPort(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  const colon = host.lastIndexOf(':');
  return colon > 0 && host.indexOf(':') === colon ? host.slice(0, colon) : host;
}

function inCidr(ip: string, cidr: string): boolean {
  const [net, bitsRaw] = cidr.split('/');
  const bits = Number(bitsRaw);
  if (!net || isIP(net) !== 4 || !Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (toInt(ip) & mask) >>> 0 === (toInt(net) & mask) >>> 0;
}

function toInt(ip: string): number {
  return ip.split('.').reduce((n, part) => (n << 8) + Number(part), 0) >>> 0;
}

/**
 * The registry host of a login server address: `https://index.docker.io/v1/` and `docker.io` are
 * Docker Hub; `http://host:5000` and `host:5000/v2/` are `host:5000`.
 */
export function registryHost(server: string): string {
  const trimmed = server.trim();
  if (trimmed === '') return 'docker.io';
  const withScheme = /^[a-z]+:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  let host: string;
  try {
    host = new URL(withScheme).host;
  } catch {
    throw new PolisError('request.invalid', `invalid registry address: ${server}`);
  }
  return ['index.docker.io', 'registry-1.docker.io', 'docker.io'].includes(host) ? 'docker.io' : host;
}
