import dgram from 'node:dgram';
import net from 'node:net';
import { PolisError } from '@polis/core';
import type { BalancerBackend, BalancerCounters, BalancerFrontend } from './types.js';

interface Slot {
  backend: BalancerBackend;
  active: number;
  total: number;
  inRotation: boolean;
  idle: (() => void)[];
}

/** How long a UDP client's session (its own socket to the backend) lives without traffic. */
const UDP_IDLE_MS = 30_000;

/**
 * The userspace L4 proxy of one frontend: it accepts on hostIp:hostPort and pipes each connection to a
 * backend picked by round robin or least connections. It counts exactly what is open per backend, so
 * draining waits for real connections. UDP gets one session per client address and port.
 */
export class ProxyFrontend {
  private readonly slots = new Map<string, Slot>();
  private next = 0;
  private tcp: net.Server | undefined;
  private udp: dgram.Socket | undefined;
  private readonly sessions = new Map<string, { socket: dgram.Socket; slot: Slot; timer: NodeJS.Timeout }>();

  constructor(readonly frontend: BalancerFrontend) {}

  async listen(): Promise<void> {
    const host = this.frontend.hostIp === '' ? '0.0.0.0' : this.frontend.hostIp;
    try {
      if (this.frontend.protocol === 'tcp') {
        const server = net.createServer((c) => this.accept(c));
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen({ host, port: this.frontend.hostPort, exclusive: true }, () => resolve());
        });
        server.on('error', () => undefined);
        this.tcp = server;
      } else {
        const socket = dgram.createSocket({ type: net.isIPv6(host) ? 'udp6' : 'udp4' });
        await new Promise<void>((resolve, reject) => {
          socket.once('error', reject);
          socket.bind({ address: host, port: this.frontend.hostPort, exclusive: true }, () => resolve());
        });
        socket.on('error', () => undefined);
        socket.on('message', (msg, rinfo) => this.datagram(msg, rinfo));
        this.udp = socket;
      }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new PolisError(
        code === 'EADDRINUSE' ? 'network.port_in_use' : 'network.setup_failed',
        `cannot listen on ${host}:${this.frontend.hostPort}/${this.frontend.protocol}: ${code ?? String(err)}`,
        { cause: err },
      );
    }
  }

  /** Replaces the rotation; backends that left keep their open connections until those end. */
  setBackends(backends: readonly BalancerBackend[]): void {
    const keep = new Set(backends.map((b) => b.containerId));
    for (const [id, slot] of this.slots) {
      if (keep.has(id)) continue;
      slot.inRotation = false;
      if (slot.active === 0) this.slots.delete(id);
    }
    for (const b of backends) {
      const slot = this.slots.get(b.containerId);
      if (slot && slot.backend.ip === b.ip && slot.backend.port === b.port) slot.inRotation = true;
      else this.slots.set(b.containerId, { backend: b, active: 0, total: 0, inRotation: true, idle: [] });
    }
  }

  /** Takes a backend out of the rotation; resolves when its connections ended or after `timeoutMs`. */
  drain(containerId: string, timeoutMs: number): Promise<void> {
    const slot = this.slots.get(containerId);
    if (!slot) return Promise.resolve();
    slot.inRotation = false;
    if (slot.active === 0) {
      this.slots.delete(containerId);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      slot.idle.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  counters(): BalancerCounters[] {
    return [...this.slots.values()].map((s) => ({
      containerId: s.backend.containerId,
      connections: s.total,
      active: s.active,
    }));
  }

  async close(): Promise<void> {
    for (const s of this.sessions.values()) {
      clearTimeout(s.timer);
      s.socket.close();
    }
    this.sessions.clear();
    const tcp = this.tcp;
    this.tcp = undefined;
    if (tcp) await new Promise<void>((resolve) => tcp.close(() => resolve()));
    const udp = this.udp;
    this.udp = undefined;
    if (udp) await new Promise<void>((resolve) => udp.close(() => resolve()));
  }

  private pick(): Slot | undefined {
    const live = [...this.slots.values()].filter((s) => s.inRotation);
    if (live.length === 0) return undefined;
    if (this.frontend.algorithm === 'least-connections') {
      // Ties (all idle under sequential clients) go round robin, not always to the first.
      const least = Math.min(...live.map((s) => s.active));
      const tied = live.filter((s) => s.active === least);
      return tied[this.next++ % tied.length];
    }
    return live[this.next++ % live.length];
  }

  private opened(slot: Slot): void {
    slot.active++;
    slot.total++;
  }

  private closed(slot: Slot): void {
    slot.active--;
    if (slot.active > 0) return;
    for (const done of slot.idle.splice(0)) done();
    if (!slot.inRotation && this.slots.get(slot.backend.containerId) === slot) {
      this.slots.delete(slot.backend.containerId);
    }
  }

  private accept(client: net.Socket): void {
    const slot = this.pick();
    if (!slot) {
      client.resetAndDestroy();
      return;
    }
    this.opened(slot);
    const upstream = net.connect({ host: slot.backend.ip, port: slot.backend.port });
    let done = false;
    const end = (): void => {
      if (done) return;
      done = true;
      this.closed(slot);
    };
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.resetAndDestroy());
    client.on('close', () => {
      upstream.destroy();
      end();
    });
    upstream.on('close', () => {
      client.destroy();
      end();
    });
    client.pipe(upstream);
    upstream.pipe(client);
  }

  private datagram(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const key = `${rinfo.address}:${rinfo.port}`;
    let session = this.sessions.get(key);
    if (!session) {
      const slot = this.pick();
      if (!slot) return;
      const socket = dgram.createSocket('udp4');
      socket.on('error', () => undefined);
      socket.on('message', (reply) => {
        this.udp?.send(reply, rinfo.port, rinfo.address);
        this.touch(key);
      });
      this.opened(slot);
      session = { socket, slot, timer: setTimeout(() => this.expire(key), UDP_IDLE_MS) };
      this.sessions.set(key, session);
    } else {
      this.touch(key);
    }
    session.socket.send(msg, session.slot.backend.port, session.slot.backend.ip);
  }

  private touch(key: string): void {
    const s = this.sessions.get(key);
    if (!s) return;
    clearTimeout(s.timer);
    s.timer = setTimeout(() => this.expire(key), UDP_IDLE_MS);
  }

  private expire(key: string): void {
    const s = this.sessions.get(key);
    if (!s) return;
    this.sessions.delete(key);
    s.socket.close();
    this.closed(s.slot);
  }
}
