import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { ProxyFrontend } from './proxy.js';

/** Loopback servers that answer each connection with their name and keep it open until the client ends. */
const servers: net.Server[] = [];
const accepted = new Set<net.Socket>();
const ports: number[] = [];
before(async () => {
  for (const name of ['a', 'b', 'c']) {
    const s = net.createServer((c) => {
      accepted.add(c);
      c.on('close', () => accepted.delete(c));
      c.write(name);
      c.on('data', () => c.end());
      c.on('error', () => undefined);
    });
    s.listen(0, '127.0.0.1');
    await once(s, 'listening');
    servers.push(s);
    ports.push((s.address() as net.AddressInfo).port);
  }
});
after(() => {
  for (const c of accepted) c.destroy();
  for (const s of servers) s.close();
});

const backends = (...names: string[]) =>
  names.map((n) => ({ containerId: n, ip: '127.0.0.1', port: ports['abc'.indexOf(n)]! }));

/** Connects to the proxy and returns the backend's name and the still-open socket. */
async function open(port: number): Promise<{ name: string; socket: net.Socket }> {
  const socket = net.connect(port, '127.0.0.1');
  const [data] = (await once(socket, 'data')) as [Buffer];
  return { name: data.toString(), socket };
}

async function proxyOn(algorithm?: 'least-connections'): Promise<{ proxy: ProxyFrontend; port: number }> {
  const probe = net.createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise((r) => probe.close(r));
  const proxy = new ProxyFrontend({ hostIp: '127.0.0.1', hostPort: port, protocol: 'tcp', algorithm });
  await proxy.listen();
  return { proxy, port };
}

test('round robin over the set; a set change applies to new connections only', async () => {
  const { proxy, port } = await proxyOn();
  proxy.setBackends(backends('a', 'b', 'c'));
  const first = await Promise.all([open(port), open(port), open(port)]);
  assert.deepEqual(first.map((x) => x.name).sort(), ['a', 'b', 'c']);
  proxy.setBackends(backends('a', 'c'));
  const names = new Set<string>();
  for (let i = 0; i < 4; i++) {
    const c = await open(port);
    names.add(c.name);
    c.socket.end('x');
  }
  assert.deepEqual([...names].sort(), ['a', 'c']);
  const onB = first.find((x) => x.name === 'b')!;
  assert.equal(onB.socket.destroyed, false, 'the connection to the removed backend is kept');
  assert.equal(proxy.counters().find((x) => x.containerId === 'b')?.active, 1);
  for (const c of first) c.socket.end('x');
  await proxy.close();
});

test('least connections sends new connections to the least busy backend', async () => {
  const { proxy, port } = await proxyOn('least-connections');
  proxy.setBackends(backends('a', 'b'));
  const one = await open(port);
  const two = await open(port);
  assert.notEqual(one.name, two.name);
  one.socket.end('x');
  await once(one.socket, 'close');
  await new Promise((r) => setTimeout(r, 50));
  const three = await open(port);
  assert.equal(three.name, one.name, 'the idle backend gets the next connection');
  two.socket.end('x');
  three.socket.end('x');
  await proxy.close();
});

test('drain waits for the open connection, or for the timeout', async () => {
  const { proxy, port } = await proxyOn();
  proxy.setBackends(backends('a'));
  const c = await open(port);
  let done = false;
  const drained = proxy.drain('a', 10_000).then(() => (done = true));
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(done, false, 'still open');
  c.socket.end('x');
  await drained;
  assert.deepEqual(proxy.counters(), []);
  proxy.setBackends(backends('b'));
  const d = await open(port);
  await proxy.drain('b', 50);
  d.socket.end('x');
  await proxy.close();
});

test('no backend: a connection is refused at once', async () => {
  const { proxy, port } = await proxyOn();
  proxy.setBackends([]);
  const s = net.connect(port, '127.0.0.1');
  let data = '';
  let error = '';
  s.on('data', (b: Buffer) => (data += b.toString()));
  s.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? ''));
  await new Promise((r) => s.on('close', r));
  assert.equal(data, '');
  assert.equal(error, 'ECONNRESET');
  await proxy.close();
});
