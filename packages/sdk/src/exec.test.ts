import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isPolisError } from '@polis/core/errors';
import { PolisClient } from './client.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;
type UpgradeHandler = (req: IncomingMessage, socket: Socket, head: Buffer) => void;

async function withServer(
  handler: Handler,
  onUpgrade: UpgradeHandler | undefined,
  fn: (client: PolisClient) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'polis-sdk-exec-'));
  const sock = join(dir, 'd.sock');
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => handler(req, res, body));
  });
  if (onUpgrade) server.on('upgrade', onUpgrade);
  await new Promise<void>((r) => server.listen(sock, r));
  const client = new PolisClient({ host: `unix://${sock}` });
  try {
    await fn(client);
  } finally {
    client.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
}

test('create posts the exec config to the container', async () => {
  let seen: unknown;
  await withServer(
    (req, res, body) => {
      seen = { url: req.url, body: JSON.parse(body) };
      res.writeHead(201, { 'Content-Type': 'application/json' }).end('{"Id":"e1"}');
    },
    undefined,
    async (client) => {
      const r = await client.exec.create('web', { Cmd: ['id', '-u'], User: 'nobody', AttachStdout: true });
      assert.deepEqual(r, { Id: 'e1' });
      assert.deepEqual(seen, {
        url: '/v1.41/containers/web/exec',
        body: { Cmd: ['id', '-u'], User: 'nobody', AttachStdout: true },
      });
    },
  );
});

test('an exec in a stopped container is the daemon conflict', async () => {
  await withServer(
    (_req, res) => {
      res.writeHead(409).end(JSON.stringify({ message: 'Container abc is not running' }));
    },
    undefined,
    async (client) => {
      await assert.rejects(client.exec.create('abc', { Cmd: ['true'] }), (err) => {
        assert.ok(isPolisError(err));
        assert.equal(err.kind, 'conflict');
        assert.equal(err.message, 'Container abc is not running');
        return true;
      });
    },
  );
});

test('start hijacks with a Content-Length JSON body; a TTY stream is raw and stdin reaches the socket', async () => {
  let head = '';
  await withServer(
    () => undefined,
    (req, socket, early) => {
      head = `${req.url} ${req.headers['content-length']} ${req.headers['content-type']}`;
      let body = '';
      let answered = false;
      const onData = (d: Buffer): void => {
        if (!answered) {
          body += d.toString();
          if (body.length < Number(req.headers['content-length'])) return;
          answered = true;
          socket.write(`HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\nbody=${body}\n`);
          return;
        }
        socket.end(`typed=${d.toString()}`);
      };
      socket.on('data', onData);
      // Node hands over what it read past the headers (the body, here) as `early`.
      if (early.length > 0) onData(early);
    },
    async (client) => {
      const att = await client.exec.start('e1', { tty: true });
      assert.equal(att.multiplexed, false);
      const streams = att.split();
      let out = '';
      streams.stdout.on('data', (d: Buffer) => (out += d.toString()));
      streams.stderr.resume();
      att.stdin?.write('ls\r');
      await streams.done;
      assert.equal(head, '/v1.41/exec/e1/start 27 application/json');
      assert.equal(out, 'body={"Detach":false,"Tty":true}\ntyped=ls\r');
    },
  );
});

test('exitCode polls until the exec is no longer running', async () => {
  let calls = 0;
  await withServer(
    (req, res) => {
      calls++;
      assert.equal(req.url, '/v1.41/exec/e1/json');
      const running = calls < 3;
      res
        .writeHead(200, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ ID: 'e1', Running: running, ExitCode: running ? null : 4 }));
    },
    undefined,
    async (client) => {
      assert.equal(await client.exec.exitCode('e1', { intervalMs: 1 }), 4);
      assert.equal(calls, 3);
    },
  );
});

test('resize sends h and w; startDetached posts Detach', async () => {
  const urls: string[] = [];
  const bodies: string[] = [];
  await withServer(
    (req, res, body) => {
      urls.push(req.url ?? '');
      bodies.push(body);
      res.writeHead(200).end();
    },
    undefined,
    async (client) => {
      await client.exec.resize('e1', { h: 30, w: 100 });
      await client.containers.resize('c1', { h: 24, w: 80 });
      await client.exec.startDetached('e1');
      assert.deepEqual(urls, [
        '/v1.41/exec/e1/resize?h=30&w=100',
        '/v1.41/containers/c1/resize?h=24&w=80',
        '/v1.41/exec/e1/start',
      ]);
      assert.equal(bodies[2], '{"Detach":true}');
    },
  );
});
