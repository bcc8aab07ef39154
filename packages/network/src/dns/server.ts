import dgram from 'node:dgram';
import { randomInt } from 'node:crypto';
import net from 'node:net';
import { PolisError, createLogger } from '@polis/core';
import { HostResolvers } from './resolv-conf.js';
import { forward, frame, parseUpstream, type Upstream } from './upstream.js';
import {
  CLASS_IN,
  RCODE_SERVFAIL,
  TYPE_A,
  TYPE_AAAA,
  TYPE_PTR,
  UDP_MAX,
  answer,
  failure,
  ipv4Rdata,
  parseQuery,
  ptrAddress,
  ptrRdata,
  type Question,
} from './wire.js';

const log = createLogger('dns');

/** Docker's embedded DNS answers with this TTL too. */
const TTL = 600;
/** Forwards in flight at once (each holds a socket for up to the timeout); Docker's resolver caps them too. */
const MAX_FORWARDS = 1024;
/**
 * Queries of one TCP connection answered at once; past that the connection is not read until some are
 * done, so one pipelining client cannot take all the forwards.
 */
const TCP_IN_FLIGHT = 16;

/** Where the embedded DNS finds the names of one network; called on every query, so keep it a map lookup. */
export interface DnsRecordSource {
  /**
   * A records (IPv4 strings) for `name` on the network served at `listenAddress`, or on another network
   * of the asking container `client` (as Docker's resolver answers for all of a container's networks);
   * [] if unknown. `name` comes lower-cased and without a trailing dot.
   */
  lookup(listenAddress: string, name: string, client?: string): string[];
  /** Names (e.g. `web.mynet`) for a container address on that network, for PTR queries; [] if unknown. */
  reverse?(listenAddress: string, ip: string): string[];
}

export interface EmbeddedDnsOptions {
  source: DnsRecordSource;
  /** `ip` or `ip:port` (`[v6]:port`); default: the nameservers of the host's /etc/resolv.conf. */
  upstream?: string[];
  /** Default 53. */
  port?: number;
  /** How long one upstream gets before the next is tried; default 2000. */
  upstreamTimeoutMs?: number;
  /**
   * Caps on open TCP connections, each a descriptor of polisd's: per client address (default 16), per
   * listen address (default 256) and over all of them (default 1024). A connection past a cap is closed
   * at once.
   */
  tcpPerClient?: number;
  tcpPerAddress?: number;
  tcpTotal?: number;
  /** A TCP connection that completes no query for this long is closed; default 10000. */
  tcpIdleMs?: number;
}

interface Listener {
  udp: dgram.Socket;
  tcp: net.Server;
  conns: Set<net.Socket>;
  /** Open TCP connections per client address. */
  perClient: Map<string, number>;
}

/**
 * The DNS server of user-defined networks, one polisd-wide instance listening on each network's
 * gateway. Names the source knows are answered here; everything else goes to the upstream resolvers.
 */
export class EmbeddedDns {
  private readonly source: DnsRecordSource;
  private readonly upstreams: () => readonly Upstream[];
  private readonly port: number;
  private readonly timeoutMs: number;
  private readonly tcpPerClient: number;
  private readonly tcpPerAddress: number;
  private readonly tcpTotal: number;
  private readonly tcpIdleMs: number;
  private readonly listeners = new Map<string, Promise<Listener>>();
  /** Who may ask at each listen address: the network's own subnets (Docker's resolver serves only its containers). */
  private readonly clients = new Map<string, net.BlockList>();
  private forwards = 0;
  /** Turns of the A answers' rotation: a name shared by replicas (a service alias) is DNS round robin. */
  private rotation = 0;
  private tcpOpen = 0;

  constructor(options: EmbeddedDnsOptions) {
    this.source = options.source;
    this.port = options.port ?? 53;
    this.timeoutMs = options.upstreamTimeoutMs ?? 2000;
    this.tcpPerClient = options.tcpPerClient ?? 16;
    this.tcpPerAddress = options.tcpPerAddress ?? 256;
    this.tcpTotal = options.tcpTotal ?? 1024;
    this.tcpIdleMs = options.tcpIdleMs ?? 10_000;
    if (options.upstream) {
      const list = options.upstream.map((spec) => {
        const up = parseUpstream(spec);
        if (!up) throw new PolisError('request.invalid', `invalid DNS server address: ${spec}`);
        return up;
      });
      this.upstreams = () => list;
    } else {
      const host = new HostResolvers();
      this.upstreams = () => host.get();
    }
  }

  /**
   * Starts answering on address:port (UDP and TCP), e.g. a network's gateway, to clients whose source
   * address lies in one of `clients` (CIDRs: the network's subnets); anyone else gets no answer at all,
   * as the gateway is reachable from every network. Idempotent; a second call replaces `clients`.
   */
  listen(address: string, clients: readonly string[]): Promise<void> {
    this.clients.set(address, blockListOf(clients));
    let pending = this.listeners.get(address);
    if (!pending) {
      pending = this.bind(address);
      this.listeners.set(address, pending);
      pending.catch(() => {
        if (this.listeners.get(address) === pending) {
          this.listeners.delete(address);
          this.clients.delete(address);
        }
      });
    }
    return pending.then(() => undefined);
  }

  /** Stops answering on that address. */
  async close(address: string): Promise<void> {
    const pending = this.listeners.get(address);
    if (!pending) return;
    this.listeners.delete(address);
    this.clients.delete(address);
    const l = await pending.catch(() => undefined);
    if (l) await shut(l);
  }

  /** The addresses being served: component health probes each one. */
  served(): string[] {
    return [...this.listeners.keys()];
  }

  /** Ids of probes in flight; a probe is a 12-byte STATUS query (answered NOTIMP, never forwarded). */
  private readonly probes = new Set<number>();

  private isProbe(msg: Buffer): boolean {
    return msg.length === 12 && this.probes.has(msg.readUInt16BE(0)) && msg.readUInt16BE(2) >> 11 === 2;
  }

  /** Whether the server answers a UDP message sent to ADDRESS within TIMEOUT_MS (component health). */
  probe(address: string, timeoutMs = 500): Promise<boolean> {
    let id = randomInt(0x10000);
    while (this.probes.has(id)) id = randomInt(0x10000);
    this.probes.add(id);
    return new Promise<boolean>((resolve) => {
      const sock = dgram.createSocket(net.isIPv6(address) ? 'udp6' : 'udp4');
      let settled = false;
      const done = (ok: boolean): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.probes.delete(id);
        sock.close();
        resolve(ok);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      sock.on('error', () => done(false));
      sock.on('message', (m) => m.length >= 2 && m.readUInt16BE(0) === id && done(true));
      const query = Buffer.alloc(12);
      query.writeUInt16BE(id, 0);
      query.writeUInt16BE(2 << 11, 2);
      sock.send(query, this.port, address, (err) => err && done(false));
    });
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.listeners.keys()].map((a) => this.close(a)));
  }

  private async bind(address: string): Promise<Listener> {
    const udp = dgram.createSocket(net.isIPv6(address) ? 'udp6' : 'udp4');
    const tcp = net.createServer();
    const conns = new Set<net.Socket>();
    const perClient = new Map<string, number>();
    try {
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind({ address, port: this.port, exclusive: true }, () => {
          udp.off('error', reject);
          resolve();
        });
      });
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen({ host: address, port: this.port, exclusive: true }, () => {
          tcp.off('error', reject);
          resolve();
        });
      });
    } catch (cause) {
      await shut({ udp, tcp, conns, perClient });
      throw new PolisError('network.dns_unavailable', `cannot serve DNS on ${address}:${this.port}`, {
        cause,
        context: { address, port: this.port },
      });
    }
    udp.on('error', (err) => log.warn('udp socket error', { address, err }));
    udp.on('message', (msg, peer) => {
      // A health probe of polisd's own (its id pending below) is answered from any source: the host's
      // own packets may leave with a NATed source address outside the network.
      if (!this.admits(address, peer.address) && !this.isProbe(msg)) return;
      void this.respond(msg, address, 'udp', peer.address).then((reply) => {
        if (!reply) return;
        try {
          udp.send(reply, peer.port, peer.address, () => undefined);
        } catch {
          // The address was closed while the answer was on its way upstream.
        }
      });
    });
    tcp.on('error', (err) => log.warn('tcp server error', { address, err }));
    const listener: Listener = { udp, tcp, conns, perClient };
    tcp.on('connection', (conn) => this.accept(listener, conn, address));
    return listener;
  }

  /** Whether `client` may ask at `address`. A native lookup, cheap enough for every packet. */
  private admits(address: string, client: string | undefined): boolean {
    const list = this.clients.get(address);
    return !!list && !!client && list.check(client, net.isIPv6(client) ? 'ipv6' : 'ipv4');
  }

  /** Keeps a TCP connection if its client may ask and no cap is reached; otherwise closes it at once. */
  private accept(l: Listener, conn: net.Socket, address: string): void {
    conn.on('error', () => conn.destroy());
    const client = conn.remoteAddress;
    const mine = client === undefined ? 0 : (l.perClient.get(client) ?? 0);
    if (
      client === undefined ||
      !this.admits(address, client) ||
      mine >= this.tcpPerClient ||
      l.conns.size >= this.tcpPerAddress ||
      this.tcpOpen >= this.tcpTotal
    ) {
      // A reset, not a FIN: the descriptor goes now and nothing lingers in TIME_WAIT on our side.
      conn.resetAndDestroy();
      return;
    }
    l.conns.add(conn);
    l.perClient.set(client, mine + 1);
    this.tcpOpen++;
    conn.once('close', () => {
      l.conns.delete(conn);
      this.tcpOpen--;
      const left = (l.perClient.get(client) ?? 1) - 1;
      if (left > 0) l.perClient.set(client, left);
      else l.perClient.delete(client);
    });
    this.serveTcp(conn, address, client);
  }

  /**
   * Messages on one TCP connection, each behind its 2-byte length; answers may come back out of order.
   * The idle timer restarts only when an answer goes out, so a client trickling bytes of a query that
   * never completes is closed too.
   */
  private serveTcp(conn: net.Socket, address: string, client: string): void {
    let buf = Buffer.alloc(0);
    let inFlight = 0;
    let idle: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(idle);
      idle = setTimeout(() => conn.destroy(), this.tcpIdleMs);
    };
    conn.once('close', () => clearTimeout(idle));
    const drain = (): void => {
      while (inFlight < TCP_IN_FLIGHT && buf.length >= 2) {
        const len = buf.readUInt16BE(0);
        if (buf.length < 2 + len) break;
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        inFlight++;
        void this.respond(msg, address, 'tcp', client).then((reply) => {
          inFlight--;
          if (conn.destroyed) return;
          if (reply && conn.writable) conn.write(frame(reply));
          arm();
          drain();
        });
      }
      if (inFlight >= TCP_IN_FLIGHT) conn.pause();
      else if (conn.isPaused()) conn.resume();
    };
    arm();
    conn.on('data', (chunk) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      drain();
    });
  }

  /** The reply to one message, or undefined to stay silent. Never throws. */
  private async respond(
    msg: Buffer,
    address: string,
    transport: 'udp' | 'tcp',
    client: string,
  ): Promise<Buffer | undefined> {
    const parsed = parseQuery(msg);
    if (parsed.kind === 'drop') return undefined;
    if (parsed.kind === 'error') return parsed.reply;
    const q = parsed.question;
    try {
      const local = this.answerLocally(q, address, client, transport === 'udp' ? UDP_MAX : undefined);
      if (local) return local;
      if (this.forwards >= MAX_FORWARDS) return failure(q, RCODE_SERVFAIL);
      // Never to ourselves: a host resolv.conf naming a gateway we serve would loop.
      const upstreams = this.upstreams().filter((u) => !(this.port === u.port && this.listeners.has(u.host)));
      this.forwards++;
      try {
        return (await forward(msg, upstreams, transport, this.timeoutMs)) ?? failure(q, RCODE_SERVFAIL);
      } finally {
        this.forwards--;
      }
    } catch (err) {
      log.warn('dns query failed', { name: q.name, type: q.type, err });
      return failure(q, RCODE_SERVFAIL);
    }
  }

  private answerLocally(q: Question, address: string, client: string, maxSize?: number): Buffer | undefined {
    if (q.qclass !== CLASS_IN) return undefined;
    if (q.type === TYPE_A || q.type === TYPE_AAAA) {
      const ips = rotate(
        this.source.lookup(address, q.name, client).filter((ip) => net.isIPv4(ip)),
        this.rotation++,
      );
      if (!ips.length) return undefined;
      // The name is ours but IPv4-only: an empty AAAA answer now spares resolvers a wait on upstreams.
      return answer(q, q.type === TYPE_A ? ips.map(ipv4Rdata) : [], TTL, maxSize);
    }
    if (q.type === TYPE_PTR && this.source.reverse) {
      const ip = ptrAddress(q.name);
      const names = ip ? this.source.reverse(address, ip) : [];
      if (names.length) return answer(q, names.map(ptrRdata), TTL, maxSize);
    }
    return undefined;
  }
}

/**
 * The addresses starting at a different one each time: clients take the first address (glibc, musl,
 * busybox), so replicas sharing a service name each get a share of new clients, as Docker's DNS round
 * robin does.
 */
export function rotate<T>(items: readonly T[], turn: number): T[] {
  if (items.length < 2) return [...items];
  const at = turn % items.length;
  return [...items.slice(at), ...items.slice(0, at)];
}

function blockListOf(cidrs: readonly string[]): net.BlockList {
  const list = new net.BlockList();
  for (const cidr of cidrs) {
    const [ip = '', bits = ''] = cidr.split('/');
    const family = net.isIP(ip);
    if (family === 0 || !/^\d+$/.test(bits)) {
      throw new PolisError('network.invalid', `invalid subnet for DNS clients: ${cidr}`);
    }
    list.addSubnet(ip, Number(bits), family === 6 ? 'ipv6' : 'ipv4');
  }
  return list;
}

async function shut(l: Listener): Promise<void> {
  for (const c of l.conns) c.destroy();
  await Promise.all([
    new Promise<void>((resolve) => {
      try {
        l.udp.close(() => resolve());
      } catch {
        resolve();
      }
    }),
    new Promise<void>((resolve) => (l.tcp.listening ? l.tcp.close(() => resolve()) : resolve())),
  ]);
}
