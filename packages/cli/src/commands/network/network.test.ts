/** The network commands and `port` end to end against a fake daemon on a unix socket. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { PolisClient } from '@polis/sdk/engine';
import { Cli, type CommandModule } from '../../cli.js';
import { describe } from '../../errors.js';
import { parseArgs } from '../../flags.js';

interface Seen {
  method: string;
  url: string;
  body: unknown;
}

type Answer = [number, unknown?];

async function withDaemon(
  answer: (method: string, url: string) => Answer,
  fn: (
    run: (
      m: CommandModule,
      argv: string[],
      stdin?: string,
    ) => Promise<{ status: number; out: string; err: string }>,
    seen: Seen[],
  ) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'polis-cli-net-'));
  const sock = join(dir, 'd.sock');
  const seen: Seen[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString();
      const url = decodeURIComponent((req.url ?? '').replace('/v1.41', ''));
      seen.push({ method: req.method ?? '', url, body: text ? JSON.parse(text) : undefined });
      const [status, body] = answer(req.method ?? '', url);
      if (body === undefined) res.writeHead(status).end();
      else res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((r) => server.listen(sock, r));
  const run = async (command: CommandModule, argv: string[], stdin = '') => {
    const out = new PassThrough();
    const err = new PassThrough();
    const cli = new Cli(PolisClient, `unix://${sock}`, {}, out, err, Readable.from([Buffer.from(stdin)]));
    let status: number;
    try {
      status = await command.run(cli, parseArgs(command.spec, argv));
    } catch (e) {
      err.write(`${describe(e)}\n`);
      status = 1;
    } finally {
      cli.close();
    }
    return { status, out: String(out.read() ?? ''), err: String(err.read() ?? '') };
  };
  try {
    await fn(run, seen);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
}

const network = (name: string, id: string, extra: object = {}) => ({
  Name: name,
  Id: id.repeat(64).slice(0, 64),
  Created: '2024-05-01T10:00:00Z',
  Scope: 'local',
  Driver: 'bridge',
  EnableIPv6: false,
  IPAM: { Driver: 'default', Options: null, Config: [] },
  Internal: false,
  Attachable: false,
  Ingress: false,
  Containers: {},
  Options: {},
  Labels: {},
  ...extra,
});

test('network create: docker flags become the create body; the id is printed', async () => {
  await withDaemon(
    () => [201, { Id: 'f'.repeat(64), Warning: '' }],
    async (run, seen) => {
      const create = await import('./create.js');
      const r = await run(create, [
        '--subnet',
        '10.3.0.0/16',
        '--gateway',
        '10.3.0.254',
        '--ip-range',
        '10.3.1.0/24',
        '--internal',
        '--label',
        'tier=db',
        '-o',
        'com.docker.network.bridge.name=br3',
        'data',
      ]);
      assert.equal(r.status, 0);
      assert.equal(r.out, `${'f'.repeat(64)}\n`);
      assert.deepEqual(seen[0], {
        method: 'POST',
        url: '/networks/create',
        body: {
          Name: 'data',
          CheckDuplicate: true,
          Driver: 'bridge',
          Internal: true,
          IPAM: {
            Driver: 'default',
            Config: [{ Subnet: '10.3.0.0/16', Gateway: '10.3.0.254', IPRange: '10.3.1.0/24' }],
          },
          Options: { 'com.docker.network.bridge.name': 'br3' },
          Labels: { tier: 'db' },
        },
      });
      const bad = await run(create, ['--gateway', '10.3.0.1', 'x']);
      assert.equal(bad.status, 1);
      assert.match(bad.err, /every ip-range or gateway must have a corresponding subnet/);
    },
  );
});

test('network ls: docker’s table sorted by name, -q, --no-trunc, --format and filters', async () => {
  const list = [
    network('net10', 'c'),
    network('bridge', 'a'),
    network('net9', 'b', { Internal: true, Labels: { x: 'y' } }),
  ];
  await withDaemon(
    () => [200, list],
    async (run, seen) => {
      const ls = await import('./ls.js');
      assert.equal(
        (await run(ls, [])).out,
        'NETWORK ID     NAME      DRIVER    SCOPE\n' +
          'aaaaaaaaaaaa   bridge    bridge    local\n' +
          'bbbbbbbbbbbb   net9      bridge    local\n' +
          'cccccccccccc   net10     bridge    local\n',
      );
      assert.equal((await run(ls, ['-q'])).out, 'aaaaaaaaaaaa\nbbbbbbbbbbbb\ncccccccccccc\n');
      assert.equal((await run(ls, ['-q', '--no-trunc'])).out.split('\n')[0], 'a'.repeat(64));
      assert.equal(
        (await run(ls, ['--format', '{{.Name}} {{.Internal}} {{.Labels}} {{.Label "x"}}'])).out,
        'bridge false  \nnet9 true x=y y\nnet10 false  \n',
      );
      await run(ls, ['--filter', 'driver=bridge', '-f', 'label=x']);
      assert.equal(seen.at(-1)?.url, '/networks?filters={"driver":{"bridge":true},"label":{"x":true}}');
    },
  );
});

test('network rm prints each removed name and reports the failures; connect, disconnect and prune', async () => {
  await withDaemon(
    (method, url) => {
      if (method === 'DELETE' && url.endsWith('/busy'))
        return [
          409,
          {
            message: 'error while removing network: network busy has active endpoints',
            code: 'network.in_use',
          },
        ];
      if (url.startsWith('/networks/prune')) return [200, { NetworksDeleted: ['a', 'b'] }];
      return [method === 'DELETE' ? 204 : 200];
    },
    async (run, seen) => {
      const rm = await import('./rm.js');
      const r = await run(rm, ['one', 'busy', 'two']);
      assert.equal(r.status, 1);
      assert.equal(r.out, 'one\ntwo\n');
      assert.equal(
        r.err,
        'Error response from daemon: error while removing network: network busy has active endpoints\n',
      );

      const connect = await import('./connect.js');
      assert.equal(
        (await run(connect, ['--alias', 'www', '--alias', 'w', '--ip', '10.1.0.9', 'app', 'web'])).status,
        0,
      );
      assert.deepEqual(seen.at(-1), {
        method: 'POST',
        url: '/networks/app/connect',
        body: {
          Container: 'web',
          EndpointConfig: { Aliases: ['www', 'w'], IPAMConfig: { IPv4Address: '10.1.0.9' } },
        },
      });
      const disconnect = await import('./disconnect.js');
      await run(disconnect, ['-f', 'app', 'web']);
      assert.deepEqual(seen.at(-1)?.body, { Container: 'web', Force: true });

      const prune = await import('./prune.js');
      const declined = await run(prune, [], 'n\n');
      assert.match(
        declined.out,
        /WARNING! This will remove all custom networks not used by at least one container\./,
      );
      assert.notEqual(seen.at(-1)?.url, '/networks/prune');
      assert.equal((await run(prune, ['-f', '--filter', 'until=1h'])).out, 'Deleted Networks:\na\nb\n');
      assert.equal(seen.at(-1)?.url, '/networks/prune?filters={"until":{"1h":true}}');
    },
  );
});

test('port: every binding, or the host side of one port; an unpublished port is an error', async () => {
  const Ports = {
    '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }],
    '53/udp': [{ HostIp: '::', HostPort: '5353' }],
    '443/tcp': null,
  };
  await withDaemon(
    () => [200, { Id: 'c', Config: {}, NetworkSettings: { Ports } }],
    async (run) => {
      const port = await import('../container/port.js');
      assert.equal((await run(port, ['web'])).out, '53/udp -> [::]:5353\n80/tcp -> 0.0.0.0:8080\n');
      assert.equal((await run(port, ['web', '80'])).out, '0.0.0.0:8080\n');
      assert.equal((await run(port, ['web', '53/udp'])).out, '[::]:5353\n');
      const none = await run(port, ['web', '443']);
      assert.equal(none.status, 1);
      assert.equal(none.err, "Error: No public port '443/tcp' published for web\n");
    },
  );
});

test('inspect falls back to networks; network inspect asks for networks only', async () => {
  await withDaemon(
    (_method, url) =>
      url.startsWith('/networks/app')
        ? [200, network('app', 'd')]
        : [404, { message: `No such object`, code: 'request.not_found' }],
    async (run, seen) => {
      const inspect = await import('../system/inspect.js');
      const r = await run(inspect, ['-f', '{{.Name}} {{.Scope}}', 'app']);
      assert.equal(r.out, 'app local\n');
      assert.deepEqual(
        seen.map((s) => s.url),
        ['/containers/app/json', '/images/app/json', '/networks/app'],
      );
      const networkInspect = await import('./inspect.js');
      const missing = await run(networkInspect, ['nope']);
      assert.equal(missing.status, 1);
      assert.equal(missing.err, 'Error: No such object\n');
    },
  );
});
