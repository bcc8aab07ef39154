import dgram from 'node:dgram';
import net from 'node:net';
import { randomInt } from 'node:crypto';

/** One upstream resolver. */
export interface Upstream {
  host: string;
  port: number;
}

/** `1.2.3.4`, `1.2.3.4:5353`, `::1`, `[::1]:5353`; undefined for anything else. */
export function parseUpstream(spec: string): Upstream | undefined {
  const s = spec.trim();
  if (net.isIP(s)) return { host: s, port: 53 };
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(s) ?? /^([^:]+):(\d+)$/.exec(s);
  if (!m || !net.isIP(m[1]!)) return undefined;
  const port = Number(m[2]);
  return port > 0 && port < 65536 ? { host: m[1]!, port } : undefined;
}

const RCODE_SERVFAIL = 2;
const RCODE_REFUSED = 5;

/**
 * Sends `query` to each upstream in turn until one answers, and returns the answer under the
 * client's id. Each try uses its own id and a fresh connected socket (so a random source port), which
 * keeps off-path spoofed answers out. A SERVFAIL or REFUSED moves on to the next upstream, as Docker's
 * resolver does, but is returned when no one does better; undefined when nobody answered at all.
 */
export async function forward(
  query: Buffer,
  upstreams: readonly Upstream[],
  transport: 'udp' | 'tcp',
  timeoutMs: number,
): Promise<Buffer | undefined> {
  const clientId = query.readUInt16BE(0);
  let fallback: Buffer | undefined;
  for (const up of upstreams) {
    const id = randomInt(0x10000);
    const sent = Buffer.from(query);
    sent.writeUInt16BE(id, 0);
    const reply = await (transport === 'udp' ? askUdp : askTcp)(sent, up, timeoutMs, id);
    if (!reply) continue;
    reply.writeUInt16BE(clientId, 0);
    const rcode = reply[3]! & 0xf;
    if (rcode !== RCODE_SERVFAIL && rcode !== RCODE_REFUSED) return reply;
    fallback = reply;
  }
  return fallback;
}

function isReplyTo(msg: Buffer, id: number): boolean {
  return msg.length >= 12 && msg.readUInt16BE(0) === id && (msg[2]! & 0x80) !== 0;
}

function askUdp(query: Buffer, up: Upstream, timeoutMs: number, id: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket(net.isIPv6(up.host) ? 'udp6' : 'udp4');
    let finished = false;
    const done = (reply?: Buffer): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      sock.close();
      resolve(reply);
    };
    const timer = setTimeout(() => done(), timeoutMs);
    // A closed port on a reachable host comes back as ECONNREFUSED on a connected socket: no waiting.
    sock.on('error', () => done());
    sock.on('message', (msg) => {
      if (isReplyTo(msg, id)) done(msg);
    });
    sock.connect(up.port, up.host, () => {
      if (!finished) sock.send(query);
    });
  });
}

function askTcp(query: Buffer, up: Upstream, timeoutMs: number, id: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: up.host, port: up.port });
    let buf = Buffer.alloc(0);
    const done = (reply?: Buffer): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve(reply);
    };
    const timer = setTimeout(() => done(), timeoutMs);
    sock.on('error', () => done());
    sock.on('close', () => done());
    sock.on('connect', () => sock.write(frame(query)));
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length < 2) return;
      const len = buf.readUInt16BE(0);
      if (buf.length < 2 + len) return;
      const msg = buf.subarray(2, 2 + len);
      done(isReplyTo(msg, id) ? Buffer.from(msg) : undefined);
    });
  });
}

/** DNS over TCP: each message behind its 2-byte length. */
export function frame(msg: Buffer): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(msg.length, 0);
  return Buffer.concat([len, msg]);
}
