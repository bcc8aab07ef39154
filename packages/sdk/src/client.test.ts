import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { isPolisError } from '@polis/core/errors';
import { PolisClient } from './client.js';
import { frame } from './testing/frames.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

async function withServer(
  handler: Handler,
  fn: (client: PolisClient, server: Server) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'polis-sdk-'));
  const sock = join(dir, 'd.sock');
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((r) => server.listen(sock, r));
  const client = new PolisClient({ host: `unix://${sock}` });
  try {
    await fn(client, server);
  } finally {
    client.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
}

test('sends versioned paths, query and JSON bodies', async () => {
  let seen: { method?: string; url?: string; body?: unknown } = {};
  await withServer(
    (req, res, body) => {
      seen = { method: req.method, url: req.url, body: JSON.parse(body.toString()) };
      res.writeHead(201, { 'Content-Type': 'application/json' }).end('{"Id":"abc","Warnings":[]}');
    },
    async (client) => {
      const r = await client.containers.create({ Image: 'busybox', Cmd: ['true'] }, { name: 'web' });
      assert.deepEqual(r, { Id: 'abc', Warnings: [] });
      assert.deepEqual(seen, {
        method: 'POST',
        url: '/v1.41/containers/create?name=web',
        body: { Image: 'busybox', Cmd: ['true'] },
      });
    },
  );
});

test('rebuilds errors from the Polis code, else from the status', async () => {
  await withServer(
    (req, res) => {
      if (req.url?.includes('coded')) {
        res.writeHead(409).end(
          JSON.stringify({
            message: 'You cannot remove a running container',
            code: 'container.is_running',
          }),
        );
      } else if (req.url?.includes('plain')) {
        res.writeHead(404).end(JSON.stringify({ message: 'No such container: plain' }));
      } else {
        res.writeHead(500).end('boom');
      }
    },
    async (client) => {
      await assert.rejects(client.containers.remove('coded'), (err) => {
        assert.ok(isPolisError(err, 'container.is_running'));
        assert.equal(err.message, 'You cannot remove a running container');
        assert.equal(err.context.status, 409);
        return true;
      });
      await assert.rejects(client.containers.inspect('plain'), (err) => {
        assert.ok(isPolisError(err, 'request.not_found'));
        assert.equal(err.kind, 'not_found');
        assert.equal(err.message, 'No such container: plain');
        return true;
      });
      await assert.rejects(
        client.containers.start('x'),
        (err) => isPolisError(err, 'request.failed') && err.message === 'boom',
      );
    },
  );
});

test('an absent socket is a daemon.unreachable error naming the host', async () => {
  const client = new PolisClient({ host: 'unix:///nonexistent/polis.sock' });
  await assert.rejects(client.ping(), (err) => {
    assert.ok(isPolisError(err, 'daemon.unreachable'));
    assert.equal(
      err.message,
      'Cannot connect to the Polis daemon at unix:///nonexistent/polis.sock. Is polisd running?',
    );
    return true;
  });
});

test('imports a tarball body and follows JSON-lines progress', async () => {
  let received = '';
  let url = '';
  await withServer(
    (req, res, body) => {
      received = body.toString();
      url = req.url ?? '';
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"status":"Importing","progress":"[==>   ]"}\r\n');
      res.end('{"status":"sha256:0123abcd"}\r\n');
    },
    async (client) => {
      const seen: string[] = [];
      const r = await client.images.import(Readable.from([Buffer.from('tar-'), Buffer.from('bytes')]), {
        repo: 'mine',
        tag: 'v1',
        changes: ['CMD ["sh"]', 'ENV A=b'],
        onProgress: (m) => seen.push(m.status ?? ''),
      });
      assert.equal(r.id, 'sha256:0123abcd');
      assert.deepEqual(seen, ['Importing', 'sha256:0123abcd']);
      assert.equal(received, 'tar-bytes');
      const q = new URL(url, 'http://x').searchParams;
      assert.equal(q.get('fromSrc'), '-');
      assert.equal(q.get('repo'), 'mine');
      assert.deepEqual(q.getAll('changes'), ['CMD ["sh"]', 'ENV A=b']);
    },
  );
});

test('an error line in the import progress fails the import', async () => {
  await withServer(
    (_req, res) => {
      res.writeHead(200);
      res.end(
        '{"status":"Importing"}\n{"errorDetail":{"message":"not a tar archive","code":"image.layer_invalid"},"error":"not a tar archive"}\n',
      );
    },
    async (client) => {
      await assert.rejects(client.images.import(Buffer.from('x')), (err) => {
        assert.ok(isPolisError(err, 'image.layer_invalid'));
        assert.equal(err.message, 'not a tar archive');
        return true;
      });
    },
  );
});

test('attach hijacks the connection and demultiplexes frames', async () => {
  await withServer(
    () => undefined,
    async (client, server) => {
      let upgradeUrl = '';
      server.on('upgrade', (req: IncomingMessage, socket) => {
        upgradeUrl = req.url ?? '';
        socket.write('HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
        // Frames split across writes; the echo of what the client wrote proves the stdin side.
        const all = Buffer.concat([frame(1, 'out-1\n'), frame(2, 'err-1\n')]);
        socket.write(all.subarray(0, 5));
        socket.on('data', (d: Buffer) => {
          socket.write(all.subarray(5));
          socket.end(frame(1, `echo:${d.toString()}`));
        });
      });
      const att = await client.containers.attach('c1', { stdin: true, tty: false });
      let out = '';
      let err = '';
      const streams = att.split();
      streams.stdout.on('data', (d: Buffer) => (out += d.toString()));
      streams.stderr.on('data', (d: Buffer) => (err += d.toString()));
      att.stdin?.write('hi');
      await streams.done;
      assert.equal(out, 'out-1\necho:hi');
      assert.equal(err, 'err-1\n');
      const q = new URL(upgradeUrl, 'http://x');
      assert.equal(q.pathname, '/v1.41/containers/c1/attach');
      assert.equal(q.searchParams.get('stream'), '1');
      assert.equal(q.searchParams.get('stdin'), '1');
      assert.equal(q.searchParams.get('logs'), null);
    },
  );
});

test('startWait resolves on headers, the result on the body', async () => {
  await withServer(
    (req, res) => {
      assert.equal(req.url, '/v1.41/containers/c1/wait?condition=next-exit');
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.flushHeaders();
      setTimeout(() => res.end('{"StatusCode":3}'), 20);
    },
    async (client) => {
      const pending = await client.containers.startWait('c1', { condition: 'next-exit' });
      assert.deepEqual(await pending.result, { StatusCode: 3 });
    },
  );
});

test('logs: the content type decides between raw and multiplexed; 304 is success', async () => {
  await withServer(
    (req, res) => {
      if (req.url?.includes('/start')) {
        res.writeHead(304).end();
      } else if (req.url?.includes('/raw/')) {
        res.writeHead(200, { 'Content-Type': 'application/vnd.docker.raw-stream' }).end('tty output\r\n');
      } else {
        assert.match(req.url ?? '', /follow=1&stdout=1&stderr=1&tail=5/);
        res.writeHead(200, { 'Content-Type': 'application/vnd.docker.multiplexed-stream' });
        res.end(Buffer.concat([frame(1, 'a\n'), frame(2, 'b\n')]));
      }
    },
    async (client) => {
      await client.containers.start('already-running');
      const raw = (await client.containers.logs('raw', {})).split();
      const chunks: string[] = [];
      raw.stdout.on('data', (d: Buffer) => chunks.push(d.toString()));
      raw.stderr.resume();
      await raw.done;
      assert.equal(chunks.join(''), 'tty output\r\n');
      const mux = (await client.containers.logs('mux', { follow: true, tail: '5' })).split();
      let out = '';
      let err = '';
      mux.stdout.on('data', (d: Buffer) => (out += d.toString()));
      mux.stderr.on('data', (d: Buffer) => (err += d.toString()));
      await mux.done;
      assert.deepEqual([out, err], ['a\n', 'b\n']);
    },
  );
});
