import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { hostname } from 'node:os';
import type { LogEntry } from '../types.js';
import { syslogFacility, syslogTarget } from './drivers.js';

export interface SyslogOptions {
  address: string;
  /** The tag (APP-NAME); Docker's default is the first 12 characters of the container's id. */
  tag: string;
  facility?: string;
  /** '' (rfc3164, Docker's default), rfc3164, rfc5424, rfc5424micro. */
  format?: string;
  pid?: number;
}

/**
 * One message as Docker's syslog driver sends it: severity info for stdout and err for stderr,
 * the line without its newline. Default (RFC 3164 as Go's syslog writes it):
 * `<PRI>TIMESTAMP HOST TAG[PID]: MSG`; rfc5424: `<PRI>1 TIMESTAMP HOST TAG PID TAG - MSG`.
 */
export function formatSyslog(entry: LogEntry, o: SyslogOptions, host = hostname()): string {
  const pri = syslogFacility(o.facility) * 8 + (entry.stream === 'stderr' ? 3 : 6);
  const msg = entry.data.toString('utf8').replace(/\n$/, '');
  const pid = o.pid ?? process.pid;
  const date = new Date(Date.parse(entry.time));
  if (o.format === 'rfc5424' || o.format === 'rfc5424micro') {
    const t =
      o.format === 'rfc5424micro' ? `${entry.time.slice(0, 26)}Z` : `${date.toISOString().slice(0, 19)}Z`;
    return `<${pri}>1 ${t} ${host} ${o.tag} ${pid} ${o.tag} - ${msg}`;
  }
  const t = date.toISOString().slice(0, 19) + 'Z';
  return `<${pri}>${t} ${host} ${o.tag}[${pid}]: ${msg}`;
}

/** Sends messages to a syslog server over UDP (one datagram each) or TCP (newline framed). */
export class SyslogSender {
  private udp: UdpSocket | undefined;
  private tcp: Socket | undefined;
  private readonly target: ReturnType<typeof syslogTarget>;

  constructor(private readonly options: SyslogOptions) {
    this.target = syslogTarget(options.address);
  }

  async write(entry: LogEntry): Promise<void> {
    const msg = Buffer.from(formatSyslog(entry, this.options), 'utf8');
    const { scheme, host, port } = this.target;
    if (scheme === 'udp') {
      this.udp ??= createSocket(host.includes(':') ? 'udp6' : 'udp4').on('error', () => undefined);
      // A server that is down loses the line, as with Docker's UDP syslog.
      await new Promise<void>((resolve) => this.udp?.send(msg, port, host, () => resolve()));
      return;
    }
    if (!this.tcp || this.tcp.destroyed) {
      const s = connect(port, host);
      s.on('error', () => undefined);
      await new Promise<void>((resolve) => {
        s.once('connect', resolve);
        s.once('error', () => resolve());
      });
      this.tcp = s;
    }
    if (this.tcp.destroyed) return;
    await new Promise<void>((resolve) =>
      this.tcp?.write(Buffer.concat([msg, Buffer.from('\n')]), () => resolve()),
    );
  }

  close(): void {
    this.udp?.close();
    this.udp = undefined;
    this.tcp?.end();
    this.tcp = undefined;
  }
}
