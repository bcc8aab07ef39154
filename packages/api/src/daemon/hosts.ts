import { isIP } from 'node:net';
import { PolisError } from '@polis/core';

/** Where one API listener listens, and whether it speaks mutual TLS. */
export type Listener =
  | { kind: 'unix'; host: string; path: string }
  /** `fd://`: the sockets systemd passed (socket activation), as dockerd's `-H fd://`. */
  | { kind: 'fd'; host: string }
  | { kind: 'tcp'; host: string; address: string; port: number; tls: boolean };

export interface ListenPolicy {
  /** `--tlsverify` with its three files: every tcp:// host serves mutual TLS. */
  tls: boolean;
  /** `--insecure-tcp-loopback`: plain HTTP is allowed on a loopback tcp:// host. */
  insecureTcpLoopback: boolean;
}

const TLS_FLAGS = '--tlsverify --tlscacert CA --tlscert CERT --tlskey KEY';

/** 127.0.0.0/8 and ::1, as literal addresses: a name could resolve anywhere. */
export function isLoopback(address: string): boolean {
  if (isIP(address) === 4) return address.startsWith('127.');
  if (isIP(address) === 6) return address === '::1' || address === '0:0:0:0:0:0:0:1';
  return false;
}

function parseTcp(host: string, tls: boolean): { address: string; port: number } {
  const m = /^tcp:\/\/(\[[^\]]*\]|[^:/[\]]*)(?::(\d{1,5}))?\/?$/.exec(host);
  const port = m?.[2] === undefined ? (tls ? 2376 : 2375) : Number(m[2]);
  if (!m || port < 1 || port > 65535) {
    throw new PolisError('request.invalid', `invalid host "${host}": use tcp://ADDRESS:PORT`);
  }
  // dockerd reads an empty address (tcp://:2376) as every interface.
  const address = (m[1] as string).replace(/^\[|\]$/g, '') || '0.0.0.0';
  return { address, port };
}

/**
 * Checks every -H against the policy: unix sockets always; tcp:// with mutual TLS anywhere, or plain only
 * on a literal loopback address and only when asked for. Anyone who reaches the API is root on the host,
 * so a plain TCP listener elsewhere is refused rather than warned about (dockerd only warns).
 */
export function planListeners(hosts: readonly string[], policy: ListenPolicy): Listener[] {
  return hosts.map((host): Listener => {
    if (host.startsWith('unix://')) return { kind: 'unix', host, path: host.slice('unix://'.length) };
    if (host.startsWith('/')) return { kind: 'unix', host: `unix://${host}`, path: host };
    if (host === 'fd://') return { kind: 'fd', host };
    if (!host.startsWith('tcp://')) {
      throw new PolisError(
        'request.invalid',
        `unsupported host "${host}": use unix:///PATH, tcp://ADDRESS:PORT or fd://`,
      );
    }
    const { address, port } = parseTcp(host, policy.tls);
    if (policy.tls) return { kind: 'tcp', host, address, port, tls: true };
    if (!isLoopback(address)) {
      throw new PolisError(
        'request.invalid',
        `refusing to serve the API on ${host} without TLS: whoever reaches it is root on this host. ` +
          `Use ${TLS_FLAGS} (mutual TLS), or a loopback address with --insecure-tcp-loopback`,
        { context: { host } },
      );
    }
    if (!policy.insecureTcpLoopback) {
      throw new PolisError(
        'request.invalid',
        `plain TCP on ${host} lets every local user act as root; use ${TLS_FLAGS}, ` +
          `or pass --insecure-tcp-loopback to allow it`,
        { context: { host } },
      );
    }
    return { kind: 'tcp', host, address, port, tls: false };
  });
}
