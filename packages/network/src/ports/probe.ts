import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer, isIPv6 } from 'node:net';
import { PolisError } from '@polis/core';

/**
 * Whether `port` can be bound on `hostIp` ('' = all IPv4 addresses) for `protocol`: binds a socket and
 * closes it at once. A busy port is `false`; an address this host does not have is docker's bind error.
 */
export function portIsFree(protocol: 'tcp' | 'udp', hostIp: string, port: number): Promise<boolean> {
  const address = hostIp === '' ? '0.0.0.0' : hostIp;
  return new Promise((resolve, reject) => {
    const settle = (err: NodeJS.ErrnoException | undefined): void => {
      if (!err) resolve(true);
      else if (err.code === 'EADDRINUSE' || err.code === 'EACCES') resolve(false);
      else reject(bindError(protocol, address, port, err));
    };
    if (protocol === 'tcp') {
      const server = createServer();
      server.once('error', (err) => settle(err));
      server.listen({ host: address, port, exclusive: true }, () => server.close(() => settle(undefined)));
    } else {
      const socket = createSocket(isIPv6(address) ? 'udp6' : 'udp4');
      socket.once('error', (err) => {
        socket.close();
        settle(err);
      });
      socket.bind({ address, port, exclusive: true }, () => socket.close(() => settle(undefined)));
    }
  });
}

/** The kernel's ephemeral port range (docker takes random host ports from it). */
export function ephemeralRange(): { start: number; end: number } {
  try {
    const [start, end] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    if (start && end && start <= end) return { start, end };
  } catch {
    // No procfs (or not Linux): docker's own default range.
  }
  return { start: 49153, end: 65535 };
}

function bindError(protocol: string, address: string, port: number, err: NodeJS.ErrnoException): PolisError {
  const family = isIPv6(address) ? '6' : '4';
  const where = isIPv6(address) ? `[${address}]:${port}` : `${address}:${port}`;
  const code = err.code === 'EADDRNOTAVAIL' ? 'network.invalid' : 'network.setup_failed';
  const why = err.code === 'EADDRNOTAVAIL' ? 'cannot assign requested address' : err.message;
  return new PolisError(code, `listen ${protocol}${family} ${where}: bind: ${why}`, {
    cause: err,
    context: { protocol, hostIp: address, port },
  });
}
