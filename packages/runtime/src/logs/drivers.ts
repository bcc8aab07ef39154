import { existsSync } from 'node:fs';
import { PolisError } from '@polis/core';

/**
 * The log drivers a container may name. conmon itself only writes k8s-file (and journald); every
 * driver but `none` keeps conmon's k8s-file log (`ctr.log`, rotated by `LogRotator`) as the source
 * `docker logs` reads, and `json-file` and `syslog` are fed from it by `LogRelay`.
 */
export const LOG_DRIVERS = ['k8s-file', 'local', 'json-file', 'none', 'syslog', 'journald'] as const;
export type LogDriver = (typeof LOG_DRIVERS)[number];

const JOURNAL_SOCKET = '/run/systemd/journal/socket';
const FILE_OPTS = ['max-size', 'max-file'];
const OPTS: Record<LogDriver, string[]> = {
  'k8s-file': [...FILE_OPTS, 'path'],
  local: [...FILE_OPTS, 'compress'],
  'json-file': [...FILE_OPTS, 'compress', 'labels', 'env', 'tag'],
  none: [],
  syslog: [...FILE_OPTS, 'syslog-address', 'syslog-facility', 'syslog-format', 'tag'],
  journald: [...FILE_OPTS, 'tag'],
};

/** The driver a record names: an empty one (older records, the default) is conmon's k8s-file. */
export function logDriverOf(driver: string | undefined): LogDriver {
  return (driver || 'k8s-file') as LogDriver;
}

/** Whether `docker logs` can read the container's output (everything but `none`). */
export function readableLog(driver: string | undefined): boolean {
  return logDriverOf(driver) !== 'none';
}

/** conmon's `-l` arguments for a driver: k8s-file always (the readable copy), unless `none`. */
export function conmonLogArgs(driver: string | undefined, logPath: string): string[] {
  const d = logDriverOf(driver);
  if (d === 'none') return ['-l', 'none'];
  const args = ['-l', `k8s-file:${logPath}`];
  if (d === 'journald') args.push('-l', 'journald');
  return args;
}

export const SYSLOG_SCHEMES = ['udp', 'tcp'];

/**
 * Checks a container's `LogConfig` at create, so a driver that cannot work is a 400 there and not a
 * silent loss at start: the name, the options it knows, and that its host side exists.
 */
export function validateLogConfig(
  driver: string,
  options: Record<string, string>,
  host = { journald: () => existsSync(JOURNAL_SOCKET) },
): LogDriver {
  const d = logDriverOf(driver);
  if (!(LOG_DRIVERS as readonly string[]).includes(d)) {
    throw new PolisError(
      'request.invalid',
      `logging driver ${JSON.stringify(driver)} is not supported (use one of ${LOG_DRIVERS.join(', ')})`,
    );
  }
  for (const key of Object.keys(options)) {
    if (!OPTS[d].includes(key))
      throw new PolisError('request.invalid', `unknown log opt '${key}' for ${d} log driver`);
  }
  if (options.path !== undefined && !options.path.startsWith('/')) {
    throw new PolisError(
      'request.invalid',
      `log opt path must be absolute, got ${JSON.stringify(options.path)}`,
    );
  }
  if (d === 'journald' && !host.journald()) {
    throw new PolisError(
      'request.invalid',
      `logging driver journald needs systemd-journald, and this host has no ${JOURNAL_SOCKET}`,
    );
  }
  if (d === 'syslog') {
    const address = options['syslog-address'];
    // Node has no unix datagram sockets, and /dev/log is one: a network address is required.
    if (!address)
      throw new PolisError(
        'request.invalid',
        'logging driver syslog needs --log-opt syslog-address=udp://HOST:PORT or tcp://HOST:PORT',
      );
    syslogTarget(address);
    const format = options['syslog-format'] ?? '';
    if (!['', 'rfc3164', 'rfc5424', 'rfc5424micro'].includes(format))
      throw new PolisError('request.invalid', `unsupported syslog format: ${format}`);
    if (options['syslog-facility'] !== undefined) syslogFacility(options['syslog-facility']);
  }
  return d;
}

/** `udp://127.0.0.1:514` → where to send; anything else is a 400. */
export function syslogTarget(address: string): { scheme: 'udp' | 'tcp'; host: string; port: number } {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new PolisError('request.invalid', `invalid syslog-address: ${address}`);
  }
  const scheme = url.protocol.replace(/:$/, '');
  if (!SYSLOG_SCHEMES.includes(scheme))
    throw new PolisError(
      'request.invalid',
      `syslog-address scheme ${scheme} is not supported (use udp:// or tcp://; unix sockets are not)`,
    );
  const port = url.port === '' ? 514 : Number(url.port);
  return { scheme: scheme as 'udp' | 'tcp', host: url.hostname.replace(/^\[|\]$/g, ''), port };
}

const FACILITIES = [
  'kern',
  'user',
  'mail',
  'daemon',
  'auth',
  'syslog',
  'lpr',
  'news',
  'uucp',
  'cron',
  'authpriv',
  'ftp',
  '',
  '',
  '',
  '',
  'local0',
  'local1',
  'local2',
  'local3',
  'local4',
  'local5',
  'local6',
  'local7',
];

/** A facility by name or number; Docker's default is `daemon`. */
export function syslogFacility(name: string | undefined): number {
  if (name === undefined || name === '') return 3;
  const n = /^\d+$/.test(name) ? Number(name) : FACILITIES.indexOf(name);
  if (n < 0 || n > 23 || (name !== String(n) && FACILITIES[n] === ''))
    throw new PolisError('request.invalid', `invalid syslog facility: ${name}`);
  return n;
}
