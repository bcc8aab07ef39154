import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { isPolisError } from '@polis/core';
import type { ContainerNetworkInfo, PortBinding } from '../types.js';
import { resolveBindings } from './bindings.js';
import { ephemeralRange, portIsFree } from './probe.js';

function info(partial: Partial<ContainerNetworkInfo>): ContainerNetworkInfo {
  return {
    id: 'c1',
    name: 'web',
    hostname: 'c1',
    portBindings: {},
    publishAll: false,
    exposedPorts: [],
    ...partial,
  };
}

async function listenTcp(host = '127.0.0.1', port = 0): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, resolve);
  });
  return server;
}

function portOf(s: Server | Socket): number {
  return (s.address() as AddressInfo).port;
}

/** A run of `n` consecutive ports free for TCP on 127.0.0.1 and 0.0.0.0 right now. */
async function freeRun(n: number): Promise<number> {
  for (let start = 20000 + Math.floor(Math.random() * 5000); ; start += n) {
    let ok = true;
    for (let p = start; p < start + n && ok; p++) ok = await portIsFree('tcp', '', p);
    if (ok) return start;
  }
}

const inUse =
  (port: number, ip = '0.0.0.0') =>
  (err: unknown) =>
    isPolisError(err, 'network.port_in_use') &&
    err.message === `Bind for ${ip}:${port} failed: port is already allocated`;

test('random ports come from the ephemeral range and are free', async () => {
  const { start, end } = ephemeralRange();
  const got = await resolveBindings(
    info({
      portBindings: {
        '80/tcp': [{ hostIp: '127.0.0.1', hostPort: '' }],
        '53/udp': [{ hostIp: '', hostPort: '0' }],
      },
    }),
    [],
  );
  assert.equal(got.length, 2);
  assert.deepEqual(
    got.map((b) => [b.protocol, b.containerPort, b.hostIp]),
    [
      ['tcp', 80, '127.0.0.1'],
      ['udp', 53, ''],
    ],
  );
  for (const b of got) {
    assert.ok(b.hostPort >= start && b.hostPort <= end, `${b.hostPort} in ${start}-${end}`);
    assert.ok(await portIsFree(b.protocol, b.hostIp, b.hostPort));
  }
});

test('publishAll gives exposed ports without a binding a random port, once', async () => {
  const port = await freeRun(1);
  const got = await resolveBindings(
    info({
      publishAll: true,
      exposedPorts: ['80/tcp', '443', '53/udp'],
      portBindings: { '80/tcp': [{ hostIp: '', hostPort: String(port) }] },
    }),
    [],
  );
  assert.deepEqual(
    got.map((b) => `${b.containerPort}/${b.protocol}`),
    ['80/tcp', '443/tcp', '53/udp'],
  );
  assert.equal(got[0]!.hostPort, port);
  assert.notEqual(got[1]!.hostPort, port);
});

test('a fixed port held by another container is refused in docker words', async () => {
  const port = await freeRun(1);
  const taken: PortBinding[] = [{ protocol: 'tcp', containerPort: 80, hostIp: '', hostPort: port }];
  const spec = info({ portBindings: { '80/tcp': [{ hostIp: '', hostPort: String(port) }] } });
  await assert.rejects(resolveBindings(spec, taken), inUse(port));
  // A specific address overlaps a binding on all addresses; another protocol does not.
  const specific = info({ portBindings: { '81/tcp': [{ hostIp: '127.0.0.1', hostPort: String(port) }] } });
  await assert.rejects(resolveBindings(specific, taken), inUse(port, '127.0.0.1'));
  const udp = info({ portBindings: { '81/udp': [{ hostIp: '', hostPort: String(port) }] } });
  assert.equal((await resolveBindings(udp, taken))[0]!.hostPort, port);
});

test('two bindings of one call cannot share a host port', async () => {
  const port = await freeRun(1);
  const spec = info({
    portBindings: {
      '80/tcp': [{ hostIp: '', hostPort: String(port) }],
      '81/tcp': [{ hostIp: '', hostPort: String(port) }],
    },
  });
  await assert.rejects(resolveBindings(spec, []), inUse(port));
});

test('a fixed port held by another process is refused, on its address and on all addresses', async () => {
  const server = await listenTcp();
  try {
    const port = portOf(server);
    const local = info({ portBindings: { '80/tcp': [{ hostIp: '127.0.0.1', hostPort: String(port) }] } });
    await assert.rejects(resolveBindings(local, []), inUse(port, '127.0.0.1'));
    const all = info({ portBindings: { '80/tcp': [{ hostIp: '', hostPort: String(port) }] } });
    await assert.rejects(resolveBindings(all, []), inUse(port));
  } finally {
    server.close();
  }
});

test('UDP ports are probed with UDP sockets', async () => {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind({ address: '127.0.0.1', port: 0 }, resolve));
  try {
    const port = portOf(socket);
    const udp = info({ portBindings: { '53/udp': [{ hostIp: '127.0.0.1', hostPort: String(port) }] } });
    await assert.rejects(resolveBindings(udp, []), inUse(port, '127.0.0.1'));
    assert.equal(await portIsFree('udp', '127.0.0.1', port), false);
  } finally {
    socket.close();
  }
});

test('a host range takes its first free port', async () => {
  const start = await freeRun(3);
  const server = await listenTcp('127.0.0.1', start);
  try {
    const taken: PortBinding[] = [{ protocol: 'tcp', containerPort: 9, hostIp: '', hostPort: start + 1 }];
    const range = `${start}-${start + 2}`;
    const spec = info({ portBindings: { '80/tcp': [{ hostIp: '', hostPort: range }] } });
    assert.deepEqual(await resolveBindings(spec, taken), [
      { protocol: 'tcp', containerPort: 80, hostIp: '', hostPort: start + 2 },
    ]);
    taken.push({ protocol: 'tcp', containerPort: 10, hostIp: '', hostPort: start + 2 });
    await assert.rejects(
      resolveBindings(spec, taken),
      (err: unknown) =>
        isPolisError(err, 'network.port_in_use') &&
        err.message === `Bind for 0.0.0.0:${range} failed: all ports are allocated`,
    );
  } finally {
    server.close();
  }
});

test('bad bindings are network.invalid', async () => {
  const bad: [Partial<ContainerNetworkInfo>, RegExp][] = [
    [{ portBindings: { '80/sctp': [{ hostIp: '', hostPort: '' }] } }, /unsupported protocol/],
    [{ portBindings: { '80/tcp': [{ hostIp: 'nope', hostPort: '' }] } }, /invalid IP address: nope/],
    [{ portBindings: { '80/tcp': [{ hostIp: '', hostPort: '99999' }] } }, /invalid hostPort: 99999/],
    [{ portBindings: { 'x/tcp': [] } }, /invalid containerPort/],
    // TEST-NET-3: an address this host does not have.
    [
      { portBindings: { '80/tcp': [{ hostIp: '203.0.113.7', hostPort: '' }] } },
      /bind: cannot assign requested address/,
    ],
  ];
  for (const [partial, message] of bad) {
    await assert.rejects(
      resolveBindings(info(partial), []),
      (err: unknown) => isPolisError(err, 'network.invalid') && message.test(err.message),
    );
  }
});
