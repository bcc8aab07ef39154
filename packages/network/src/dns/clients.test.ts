import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { once } from 'node:events';
import { EmbeddedDns, type DnsRecordSource, type EmbeddedDnsOptions } from './server.js';

// Who may ask the embedded DNS and how many TCP connections it keeps. The server listens on
// loopback addresses; clients pick their source address with a bind to another 127.0.0.x.

/** A port free for both UDP and TCP on 127.0.0.1. */
async function freePort(): Promise<number> {
  for (;;) {
    const udp = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    const port = udp.address().port;
    const tcp = net.createServer();
    const ok = await new Promise<boolean>((resolve) => {
      tcp.once('error', () => resolve(false));
      tcp.listen(port, '127.0.0.1', () => resolve(true));
    });
    udp.close();
    if (ok) {
      await new Promise((resolve) => tcp.close(resolve));
      return port;
    }
  }
}

const asked: string[] = [];
const source: DnsRecordSource = {
  lookup(_address, name) {
    asked.push(name);
    return name === 'web' ? ['172.18.0.2'] : [];
  },
};

/** A query for `web` (A, RD set) with the given id. */
function query(id: number): Buffer {
  return Buffer.from([id >> 8, id & 0xff, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 119, 101, 98, 0, 0, 1, 0, 1]);
}
const framed = (msg: Buffer): Buffer =>
  Buffer.concat([Buffer.from([msg.length >> 8, msg.length & 0xff]), msg]);

const servers: EmbeddedDns[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.closeAll()));
  asked.length = 0;
});

async function serve(
  address: string,
  clients: string[],
  options: Partial<EmbeddedDnsOptions> = {},
): Promise<{ dns: EmbeddedDns; port: number }> {
  const port = options.port ?? (await freePort());
  const dns = new EmbeddedDns({ source, upstream: [], ...options, port });
  servers.push(dns);
  await dns.listen(address, clients);
  return { dns, port };
}

/** The UDP answer to a query sent from `from` to address:port, or undefined after `waitMs`. */
async function udpAsk(
  from: string,
  address: string,
  port: number,
  waitMs = 300,
): Promise<Buffer | undefined> {
  const sock = dgram.createSocket('udp4');
  try {
    await new Promise<void>((resolve) => sock.bind(0, from, resolve));
    sock.send(query(7), port, address);
    const timer = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), waitMs).unref());
    return await Promise.race([once(sock, 'message').then(([m]) => m as Buffer), timer]);
  } finally {
    sock.close();
  }
}

/** A TCP connection from `from`; `answers()` sends a query and tells whether an answer came back. */
async function tcpConnect(
  from: string,
  address: string,
  port: number,
): Promise<{ sock: net.Socket; answers(): Promise<boolean>; closed: Promise<void> }> {
  const sock = net.connect({ host: address, port, localAddress: from });
  sock.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => sock.once('close', () => resolve()));
  // A refused connection may be reset before the client even sees it connect.
  await new Promise<void>((resolve) => {
    sock.once('connect', resolve);
    sock.once('close', () => resolve());
  });
  let data = Buffer.alloc(0);
  sock.on('data', (chunk: Buffer) => (data = Buffer.concat([data, chunk])));
  return {
    sock,
    closed,
    async answers() {
      if (sock.destroyed) return false;
      const before = data.length;
      sock.write(framed(query(9)));
      const deadline = Date.now() + 1000;
      while (Date.now() < deadline && !sock.destroyed && data.length === before) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return data.length > before;
    },
  };
}

test("a client outside the listen address's subnets gets no answer, over UDP or TCP", async () => {
  const { dns, port } = await serve('127.0.0.1', ['127.0.0.2/32']);
  assert.ok(await udpAsk('127.0.0.2', '127.0.0.1', port), 'a client of the network is answered');
  assert.equal(await udpAsk('127.0.0.3', '127.0.0.1', port), undefined, 'another is not');

  const inside = await tcpConnect('127.0.0.2', '127.0.0.1', port);
  assert.equal(await inside.answers(), true);
  inside.sock.destroy();
  const outside = await tcpConnect('127.0.0.3', '127.0.0.1', port);
  assert.equal(await outside.answers(), false);
  await outside.closed;
  assert.equal(asked.filter((n) => n === 'web').length, 2, 'the outsider was never looked up');

  // A subnet that excludes loopback altogether, then one that includes it: listen() updates the set.
  await dns.listen('127.0.0.1', ['10.0.0.0/8']);
  assert.equal(await udpAsk('127.0.0.2', '127.0.0.1', port), undefined);
  await dns.listen('127.0.0.1', ['10.0.0.0/8', '127.0.0.0/8']);
  assert.ok(await udpAsk('127.0.0.3', '127.0.0.1', port));
});

test('TCP connections are capped per client address and per listen address', async () => {
  const { port } = await serve('127.0.0.1', ['127.0.0.0/8'], { tcpPerClient: 3, tcpPerAddress: 5 });
  const a = [];
  for (let i = 0; i < 5; i++) a.push(await tcpConnect('127.0.0.11', '127.0.0.1', port));
  const aAnswered = [];
  for (const c of a) aAnswered.push(await c.answers());
  assert.deepEqual(aAnswered, [true, true, true, false, false], 'three per client');
  const b = [];
  for (let i = 0; i < 3; i++) b.push(await tcpConnect('127.0.0.12', '127.0.0.1', port));
  const bAnswered = [];
  for (const c of b) bAnswered.push(await c.answers());
  assert.deepEqual(bAnswered, [true, true, false], 'five on the address');
  // A closed connection frees its place.
  a[0]!.sock.destroy();
  await new Promise((resolve) => setTimeout(resolve, 100));
  const c = await tcpConnect('127.0.0.12', '127.0.0.1', port);
  assert.equal(await c.answers(), true);
  for (const x of [...a, ...b, c]) x.sock.destroy();
});

test('TCP connections are capped over all listen addresses', async () => {
  const port = await freePort();
  const { dns } = await serve('127.0.0.1', ['127.0.0.0/8'], { port, tcpTotal: 4 });
  await dns.listen('127.0.0.21', ['127.0.0.0/8']);
  const conns = [];
  for (let i = 0; i < 3; i++) conns.push(await tcpConnect(`127.0.0.${30 + i}`, '127.0.0.1', port));
  for (let i = 0; i < 2; i++) conns.push(await tcpConnect(`127.0.0.${40 + i}`, '127.0.0.21', port));
  const answered = [];
  for (const c of conns) answered.push(await c.answers());
  assert.deepEqual(answered, [true, true, true, true, false]);
  for (const c of conns) c.sock.destroy();
});

test('a TCP connection that completes no query within the idle time is closed; a busy one is kept', async () => {
  const { port } = await serve('127.0.0.1', ['127.0.0.0/8'], { tcpIdleMs: 300 });
  const started = Date.now();
  const idle = await tcpConnect('127.0.0.2', '127.0.0.1', port);
  const trickle = await tcpConnect('127.0.0.2', '127.0.0.1', port);
  const busy = await tcpConnect('127.0.0.2', '127.0.0.1', port);
  // A byte every 100 ms of a query that never completes: activity, but never a query.
  const half = framed(query(1)).subarray(0, 10);
  let i = 0;
  const drip = setInterval(() => {
    if (i < half.length && !trickle.sock.destroyed) trickle.sock.write(half.subarray(i, ++i));
  }, 100);
  try {
    let busyAnswers = 0;
    while (Date.now() - started < 1000) {
      if (await busy.answers()) busyAnswers++;
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    await idle.closed;
    await trickle.closed;
    assert.ok(Date.now() - started < 2000);
    assert.equal(busy.sock.destroyed, false, 'a connection with queries stays');
    assert.ok(busyAnswers >= 4);
  } finally {
    clearInterval(drip);
    busy.sock.destroy();
  }
});

test('a pipelined burst on one connection is answered in full', async () => {
  const { port } = await serve('127.0.0.1', ['127.0.0.0/8']);
  const n = 3000;
  const sock = net.connect({ host: '127.0.0.1', port });
  await once(sock, 'connect');
  sock.write(Buffer.concat(Array.from({ length: n }, (_, i) => framed(query(i)))));
  const seen = new Set<number>();
  let buf = Buffer.alloc(0);
  for await (const chunk of sock) {
    buf = Buffer.concat([buf, chunk as Buffer]);
    while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
      seen.add(buf.readUInt16BE(2));
      buf = buf.subarray(2 + buf.readUInt16BE(0));
    }
    if (seen.size === n) break;
  }
  sock.destroy();
  assert.equal(seen.size, n);
});
