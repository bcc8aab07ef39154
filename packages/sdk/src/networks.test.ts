import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPolisError } from '@polis/core/errors';
import { PolisClient } from './client.js';

interface Seen {
  method: string;
  url: string;
  body: unknown;
}

/** A daemon that records each request and answers with `answer(req)`: status and JSON (or nothing). */
async function withDaemon(
  answer: (req: IncomingMessage) => [number, unknown?],
  fn: (client: PolisClient, seen: Seen[]) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'polis-sdk-net-'));
  const sock = join(dir, 'd.sock');
  const seen: Seen[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString();
      seen.push({ method: req.method ?? '', url: req.url ?? '', body: text ? JSON.parse(text) : undefined });
      const [status, body] = answer(req);
      if (body === undefined) res.writeHead(status).end();
      else res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((r) => server.listen(sock, r));
  const client = new PolisClient({ host: `unix://${sock}` });
  try {
    await fn(client, seen);
  } finally {
    client.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
}

test('networks: each verb sends Docker’s path, query and body', async () => {
  await withDaemon(
    (req) => {
      if (req.url?.includes('/networks/create')) return [201, { Id: 'n1', Warning: '' }];
      if (req.url?.includes('/networks/prune')) return [200, { NetworksDeleted: ['old'] }];
      if (req.method === 'GET') return [200, req.url?.includes('/networks?') ? [] : { Name: 'app' }];
      return [req.method === 'DELETE' ? 204 : 200];
    },
    async (client, seen) => {
      const created = await client.networks.create({
        Name: 'app',
        IPAM: { Config: [{ Subnet: '10.1.0.0/24' }] },
      });
      assert.deepEqual(created, { Id: 'n1', Warning: '' });
      assert.deepEqual(await client.networks.list({ filters: { name: ['app'] } }), []);
      assert.deepEqual(await client.networks.inspect('a b'), { Name: 'app' });
      await client.networks.connect('app', {
        Container: 'web',
        EndpointConfig: { Aliases: ['www'], IPAMConfig: { IPv4Address: '10.1.0.9' } },
      });
      await client.networks.disconnect('app', { Container: 'web', Force: true });
      await client.networks.remove('app');
      assert.deepEqual(await client.networks.prune({ until: ['1h'] }), ['old']);
      assert.deepEqual(seen, [
        {
          method: 'POST',
          url: '/v1.41/networks/create',
          body: { Name: 'app', IPAM: { Config: [{ Subnet: '10.1.0.0/24' }] } },
        },
        {
          method: 'GET',
          url: `/v1.41/networks?filters=${encodeURIComponent('{"name":{"app":true}}')}`,
          body: undefined,
        },
        { method: 'GET', url: '/v1.41/networks/a%20b', body: undefined },
        {
          method: 'POST',
          url: '/v1.41/networks/app/connect',
          body: {
            Container: 'web',
            EndpointConfig: { Aliases: ['www'], IPAMConfig: { IPv4Address: '10.1.0.9' } },
          },
        },
        { method: 'POST', url: '/v1.41/networks/app/disconnect', body: { Container: 'web', Force: true } },
        { method: 'DELETE', url: '/v1.41/networks/app', body: undefined },
        {
          method: 'POST',
          url: `/v1.41/networks/prune?filters=${encodeURIComponent('{"until":{"1h":true}}')}`,
          body: undefined,
        },
      ]);
    },
  );
});

test('networks: a daemon conflict comes back as a typed error', async () => {
  await withDaemon(
    () => [409, { message: 'network app has active endpoints', code: 'network.in_use' }],
    async (client) => {
      await assert.rejects(client.networks.remove('app'), (err) => isPolisError(err, 'network.in_use'));
    },
  );
});

test('containers.ports: published ports in order, one container port, none for an exposed one', async () => {
  const Ports = {
    '443/tcp': [{ HostIp: '0.0.0.0', HostPort: '8443' }],
    '80/tcp': [
      { HostIp: '0.0.0.0', HostPort: '8080' },
      { HostIp: '127.0.0.1', HostPort: '9090' },
    ],
    '53/udp': [{ HostIp: '0.0.0.0', HostPort: '5353' }],
    '22/tcp': null,
  };
  await withDaemon(
    () => [200, { Id: 'c', Config: {}, NetworkSettings: { Ports } }],
    async (client) => {
      assert.deepEqual(
        (await client.containers.ports('web')).map((p) => `${p.port} ${p.hostIp}:${p.hostPort}`),
        ['53/udp 0.0.0.0:5353', '80/tcp 0.0.0.0:8080', '80/tcp 127.0.0.1:9090', '443/tcp 0.0.0.0:8443'],
      );
      assert.deepEqual(await client.containers.ports('web', '443'), [
        { port: '443/tcp', hostIp: '0.0.0.0', hostPort: '8443' },
      ]);
      assert.deepEqual(await client.containers.ports('web', '53/tcp'), []);
      assert.deepEqual(await client.containers.ports('web', '22'), []);
    },
  );
});
