import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { once } from 'node:events';
import { Resolver } from 'node:dns/promises';
import { EmbeddedDns, rotate, type DnsRecordSource } from './server.js';
import { isPolisError } from '@polis/core';

/** A port free for both UDP and TCP on `host` (bound and released, as tests elsewhere do). */
async function freePort(host: string): Promise<number> {
  for (;;) {
    const udp = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => udp.bind(0, host, resolve));
    const port = udp.address().port;
    const tcp = net.createServer();
    const ok = await new Promise<boolean>((resolve) => {
      tcp.once('error', () => resolve(false));
      tcp.listen(port, host, () => resolve(true));
    });
    udp.close();
    if (ok) {
      await new Promise((resolve) => tcp.close(resolve));
      return port;
    }
  }
}

/** A source with names per listen address, recording what it was asked. */
function source(table: Record<string, Record<string, string[]>>): DnsRecordSource & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    lookup(listenAddress, name) {
      asked.push(`${listenAddress} ${name}`);
      return table[listenAddress]?.[name] ?? [];
    },
    reverse(listenAddress, ip) {
      const names = Object.entries(table[listenAddress] ?? {}).filter(([, ips]) => ips.includes(ip));
      return names.map(([n]) => `${n}.testnet`);
    },
  };
}

function resolverFor(port: number, host = '127.0.0.1'): Resolver {
  const r = new Resolver({ timeout: 5000, tries: 1 });
  r.setServers([`${host}:${port}`]);
  return r;
}

/** A raw query: id, one question, RD set. */
function query(name: string, type: number, id: number): Buffer {
  const labels = name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
  return Buffer.concat([
    Buffer.from([id >> 8, id & 0xff, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]),
    ...labels,
    Buffer.from([0, type >> 8, type & 0xff, 0, 1]),
  ]);
}

async function udpAsk(port: number, msg: Buffer, waitMs = 1000): Promise<Buffer | undefined> {
  const sock = dgram.createSocket('udp4');
  try {
    sock.send(msg, port, '127.0.0.1');
    const timer = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), waitMs).unref());
    const reply = once(sock, 'message').then(([m]) => m as Buffer);
    return await Promise.race([reply, timer]);
  } finally {
    sock.close();
  }
}

async function tcpAsk(port: number, msgs: Buffer[]): Promise<Buffer[]> {
  const sock = net.connect(port, '127.0.0.1');
  await once(sock, 'connect');
  // All queries in one write, split mid-frame, to exercise the framing.
  const all = Buffer.concat(
    msgs.map((m) => Buffer.concat([Buffer.from([m.length >> 8, m.length & 0xff]), m])),
  );
  sock.write(all.subarray(0, 3));
  await new Promise((resolve) => setTimeout(resolve, 20));
  sock.write(all.subarray(3));
  const replies: Buffer[] = [];
  let buf = Buffer.alloc(0);
  for await (const chunk of sock) {
    buf = Buffer.concat([buf, chunk as Buffer]);
    while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
      replies.push(buf.subarray(2, 2 + buf.readUInt16BE(0)));
      buf = buf.subarray(2 + buf.readUInt16BE(0));
    }
    if (replies.length === msgs.length) break;
  }
  sock.destroy();
  return replies;
}

/** Clients on loopback: every test client below sends from 127.0.0.0/8. */
const LOOPBACK = ['127.0.0.0/8'];

const ids = (replies: Buffer[]): number[] => replies.map((r) => r.readUInt16BE(0)).sort((a, b) => a - b);

let port: number;
let upstreamPort: number;
let deadPort: number;
let dns: EmbeddedDns;
let upstream: EmbeddedDns;
const names = source({ '127.0.0.1': { web: ['172.18.0.2'], db: ['172.18.0.3', '172.18.0.4'] } });
const remote = source({ '127.0.0.2': { 'remote.example': ['10.9.9.9'] } });

before(async () => {
  port = await freePort('127.0.0.1');
  upstreamPort = await freePort('127.0.0.2');
  deadPort = await freePort('127.0.0.3');
  // The upstream is itself an EmbeddedDns on 127.0.0.2 with no upstream of its own: nothing leaves loopback.
  upstream = new EmbeddedDns({ source: remote, upstream: [], port: upstreamPort });
  await upstream.listen('127.0.0.2', LOOPBACK);
  dns = new EmbeddedDns({ source: names, upstream: [`127.0.0.2:${upstreamPort}`], port });
  await dns.listen('127.0.0.1', LOOPBACK);
  await dns.listen('127.0.0.1', LOOPBACK);
});

after(async () => {
  await dns.closeAll();
  await upstream.closeAll();
});

test('a known name is answered with its addresses, with the TTL Docker uses', async () => {
  const r = resolverFor(port);
  assert.deepEqual(await r.resolve4('web', { ttl: true }), [{ address: '172.18.0.2', ttl: 600 }]);
  assert.deepEqual((await r.resolve4('db')).sort(), ['172.18.0.3', '172.18.0.4']);
  assert.ok(names.asked.includes('127.0.0.1 web'), 'looked up on the address the query came to');
});

test('a name shared by replicas answers all of them, starting at a different one each time', async () => {
  const r = resolverFor(port);
  const firsts = new Set<string>();
  for (let i = 0; i < 4; i++) {
    const ips = await r.resolve4('db');
    assert.deepEqual([...ips].sort(), ['172.18.0.3', '172.18.0.4']);
    firsts.add(ips[0]!);
  }
  assert.deepEqual([...firsts].sort(), ['172.18.0.3', '172.18.0.4']);
  assert.deepEqual(rotate(['a', 'b', 'c'], 4), ['b', 'c', 'a']);
  assert.deepEqual(rotate([], 3), []);
});

test('names are case-insensitive and may end in a dot', async () => {
  const r = resolverFor(port);
  assert.deepEqual(await r.resolve4('WeB'), ['172.18.0.2']);
  assert.deepEqual(await r.resolve4('web.'), ['172.18.0.2']);
});

test('AAAA for a known name is an empty answer at once, not a forward', async () => {
  const r = resolverFor(port);
  const started = Date.now();
  await assert.rejects(r.resolve6('web'), { code: 'ENODATA' });
  assert.ok(Date.now() - started < 500);
});

test('PTR of a container address names it', async () => {
  assert.deepEqual(await resolverFor(port).reverse('172.18.0.3'), ['db.testnet']);
});

test('an unknown name is forwarded upstream and the answer relayed', async () => {
  const r = resolverFor(port);
  assert.deepEqual(await r.resolve4('remote.example'), ['10.9.9.9']);
  assert.ok(remote.asked.includes('127.0.0.2 remote.example'));
  // Other types of known names go upstream too; this one does not know it and fails there.
  await assert.rejects(r.resolveTxt('web'), { code: 'ESERVFAIL' });
});

test('the relayed answer carries the client id', async () => {
  const reply = await udpAsk(port, query('remote.example', 1, 0xbeef));
  assert.ok(reply);
  assert.equal(reply.readUInt16BE(0), 0xbeef);
  assert.deepEqual([...reply.subarray(reply.length - 4)], [10, 9, 9, 9]);
});

test('an upstream that is down gives SERVFAIL quickly', async () => {
  const down = new EmbeddedDns({ source: names, upstream: [`127.0.0.3:${deadPort}`], port: deadPort });
  await down.listen('127.0.0.4', LOOPBACK);
  try {
    const started = Date.now();
    await assert.rejects(resolverFor(deadPort, '127.0.0.4').resolve4('nowhere.example'), {
      code: 'ESERVFAIL',
    });
    assert.ok(Date.now() - started < 3000);
  } finally {
    await down.closeAll();
  }
});

test('an upstream that never answers gives SERVFAIL after the timeout, and the next upstream is tried', async () => {
  const hole = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => hole.bind(0, '127.0.0.3', resolve));
  const holeAddr = `127.0.0.3:${hole.address().port}`;
  const silent = new EmbeddedDns({ source: names, upstream: [holeAddr], port: deadPort });
  const second = new EmbeddedDns({
    source: names,
    upstream: [holeAddr, `127.0.0.2:${upstreamPort}`],
    port: deadPort,
    upstreamTimeoutMs: 200,
  });
  await silent.listen('127.0.0.5', LOOPBACK);
  await second.listen('127.0.0.6', LOOPBACK);
  try {
    let started = Date.now();
    await assert.rejects(resolverFor(deadPort, '127.0.0.5').resolve4('nowhere.example'), {
      code: 'ESERVFAIL',
    });
    const waited = Date.now() - started;
    assert.ok(waited >= 1900 && waited < 3000, `SERVFAIL after ${waited} ms`);
    started = Date.now();
    assert.deepEqual(await resolverFor(deadPort, '127.0.0.6').resolve4('remote.example'), ['10.9.9.9']);
    assert.ok(Date.now() - started < 1000);
  } finally {
    hole.close();
    await silent.closeAll();
    await second.closeAll();
  }
});

test('closing while a query is out upstream drops its answer quietly', async () => {
  const hole = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => hole.bind(0, '127.0.0.3', resolve));
  const slow = new EmbeddedDns({
    source: names,
    upstream: [`127.0.0.3:${hole.address().port}`],
    port: deadPort,
    upstreamTimeoutMs: 100,
  });
  await slow.listen('127.0.0.8', LOOPBACK);
  const client = dgram.createSocket('udp4');
  try {
    let got = false;
    client.on('message', () => (got = true));
    client.send(query('late.example', 1, 5), deadPort, '127.0.0.8');
    await once(hole, 'message');
    await slow.close('127.0.0.8');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(got, false);
  } finally {
    client.close();
    hole.close();
  }
});

test('TCP: framed queries answered locally and forwarded over TCP', async () => {
  const replies = await tcpAsk(port, [
    query('web', 1, 1),
    query('REMOTE.example', 1, 2),
    query('web', 28, 3),
  ]);
  assert.deepEqual(ids(replies), [1, 2, 3]);
  const byId = new Map(replies.map((r) => [r.readUInt16BE(0), r]));
  assert.deepEqual([...byId.get(1)!.subarray(-4)], [172, 18, 0, 2]);
  assert.deepEqual([...byId.get(2)!.subarray(-4)], [10, 9, 9, 9]);
  assert.equal(byId.get(3)!.readUInt16BE(6), 0, 'AAAA: no answers');
  assert.equal(byId.get(3)![3]! & 0xf, 0, 'AAAA: NOERROR');
});

test('malformed packets are dropped or answered FORMERR, and the server keeps answering', async () => {
  assert.equal(await udpAsk(port, Buffer.from('hi'), 200), undefined);
  const garbage = Buffer.from([0xab, 0xcd, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 63, 1, 2]);
  const formerr = await udpAsk(port, garbage);
  assert.ok(formerr);
  assert.equal(formerr.readUInt16BE(0), 0xabcd);
  assert.equal(formerr[3]! & 0xf, 1);
  const response = query('web', 1, 9);
  response[2] |= 0x80;
  assert.equal(await udpAsk(port, response, 200), undefined, 'a response is never answered');
  // Noise in batches small enough for the socket buffer (client and server share this event loop),
  // each followed by a real query that must still be answered.
  const noise = dgram.createSocket('udp4');
  try {
    for (let batch = 0; batch < 10; batch++) {
      for (let i = 0; i < 50; i++) {
        const len = 1 + Math.floor(Math.random() * 60);
        const bytes = Buffer.from(Array.from({ length: len }, () => Math.random() * 256));
        // Half of them headers of a one-question query with a random tail, so the question parser sees garbage.
        if (i % 2 && len >= 12) bytes.set([0, i, 1, 0, 0, 1], 0);
        await new Promise((resolve) => noise.send(bytes, port, '127.0.0.1', resolve));
      }
      const reply = await udpAsk(port, query('web', 1, batch));
      assert.deepEqual([...reply!.subarray(-4)], [172, 18, 0, 2], `answered after noise batch ${batch}`);
    }
  } finally {
    noise.close();
  }
  const sock = net.connect(port, '127.0.0.1');
  sock.on('error', () => undefined);
  sock.end(Buffer.from([0, 5, 1, 2, 3, 4, 5, 0, 0]));
  assert.deepEqual(await resolverFor(port).resolve4('web'), ['172.18.0.2']);
});

test('a taken address is a PolisError, close() frees the port, listen() again works', async () => {
  const other = new EmbeddedDns({ source: names, upstream: [], port });
  await assert.rejects(other.listen('127.0.0.1', LOOPBACK), (err) =>
    isPolisError(err, 'network.dns_unavailable'),
  );
  const extra = new EmbeddedDns({ source: names, upstream: [], port });
  await extra.listen('127.0.0.7', LOOPBACK);
  const conn = net.connect(port, '127.0.0.7');
  await once(conn, 'connect');
  await extra.close('127.0.0.7');
  await extra.close('127.0.0.7');
  const udp = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => udp.bind(port, '127.0.0.7', resolve));
  udp.close();
  const tcp = net.createServer();
  await new Promise<void>((resolve) => tcp.listen(port, '127.0.0.7', resolve));
  await new Promise((resolve) => tcp.close(resolve));
  await extra.listen('127.0.0.7', LOOPBACK);
  assert.deepEqual(
    await resolverFor(port, '127.0.0.7')
      .resolve4('remote.example')
      .catch((e) => e.code),
    'ESERVFAIL',
  );
  await extra.closeAll();
});

test('latency', async (t) => {
  const sock = dgram.createSocket('udp4');
  sock.connect(port, '127.0.0.1');
  await once(sock, 'connect');
  const measure = async (name: string, n: number): Promise<number> => {
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const started = process.hrtime.bigint();
      sock.send(query(name, 1, i));
      await once(sock, 'message');
      times.push(Number(process.hrtime.bigint() - started) / 1000);
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(n / 2)]!;
  };
  await measure('web', 50);
  const local = await measure('web', 2000);
  const forwarded = await measure('remote.example', 500);
  sock.close();
  t.diagnostic(
    `median UDP round trip: local answer ${local.toFixed(0)} µs, forwarded ${forwarded.toFixed(0)} µs`,
  );
  assert.ok(local < 5000);
});
