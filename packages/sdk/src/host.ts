import { PolisError } from '@polis/core/errors';

export const DEFAULT_HOST = 'unix:///run/polis/polis.sock';

/** Where the daemon listens: a unix socket or a TCP address. */
export interface Endpoint {
  /** The address as given, for messages. */
  host: string;
  socketPath?: string;
  hostname?: string;
  port?: number;
}

/** The host to use when none is given: POLIS_HOST, then DOCKER_HOST, then the default socket. */
export function defaultHost(env: NodeJS.ProcessEnv = process.env): string {
  return env.POLIS_HOST || env.DOCKER_HOST || DEFAULT_HOST;
}

/**
 * Parses `unix:///path.sock`, `/path.sock`, `tcp://host:port` or `http://host:port`. A tcp:// host
 * without a port is docker's 2375, or 2376 when TLS is on.
 */
export function parseHost(host: string, tls = false): Endpoint {
  if (host.startsWith('unix://')) return { host, socketPath: host.slice('unix://'.length) };
  if (host.startsWith('/')) return { host: `unix://${host}`, socketPath: host };
  const m = /^(?:tcp|http):\/\/(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/?$/.exec(host);
  if (m) {
    const hostname = (m[1] as string).replace(/^\[|\]$/g, '');
    return { host, hostname, port: m[2] === undefined ? (tls ? 2376 : 2375) : Number(m[2]) };
  }
  throw new PolisError(
    'request.invalid',
    `invalid host address ${JSON.stringify(host)}: use unix:///path or tcp://host:port`,
    {
      context: { host },
    },
  );
}
