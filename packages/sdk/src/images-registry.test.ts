import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { isPolisError } from '@polis/core/errors';
import { decodeRegistryAuth } from './auth/registry-auth.js';
import { PolisClient } from './client.js';
import { readBody } from './transport.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

async function withServer(handler: Handler, fn: (client: PolisClient) => Promise<void>): Promise<void> {
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
    await fn(client);
  } finally {
    client.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
}

const lines = (...msgs: object[]): string => msgs.map((m) => `${JSON.stringify(m)}\r\n`).join('');

test('pull sends fromImage, tag, platform and X-Registry-Auth, and yields the progress', async () => {
  const seen: { url?: string; auth?: string }[] = [];
  await withServer(
    (req, res) => {
      seen.push({ url: req.url, auth: req.headers['x-registry-auth'] as string | undefined });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      // Split mid-line: the parser must join chunks.
      const text = lines(
        { status: 'Pulling from library/busybox', id: 'latest' },
        { status: 'Pull complete', progressDetail: {}, id: 'abc123def456' },
        { status: 'Status: Downloaded newer image for busybox:latest' },
      );
      res.write(text.slice(0, 20));
      res.end(text.slice(20));
    },
    async (client) => {
      const auth = { username: 'me', password: 'pw', serveraddress: 'localhost:5000' };
      const got = await client.images.pull('localhost:5000/app', { platform: 'linux/amd64', auth }).collect();
      assert.equal(got.length, 3);
      assert.equal(got[1]?.id, 'abc123def456');
      assert.equal(
        seen[0]?.url,
        '/v1.41/images/create?fromImage=localhost%3A5000%2Fapp&tag=latest&platform=linux%2Famd64',
      );
      assert.deepEqual(decodeRegistryAuth(seen[0]?.auth as string), auth);

      const digest = `sha256:${'b'.repeat(64)}`;
      const messages = [];
      for await (const m of client.images.pull(`busybox@${digest}`)) messages.push(m);
      assert.equal(messages.length, 3);
      assert.equal(seen[1]?.url, `/v1.41/images/create?fromImage=busybox&tag=${encodeURIComponent(digest)}`);
      assert.equal(seen[1]?.auth, undefined);
    },
  );
});

test('an error line mid-stream throws a typed, in-band error after the messages before it', async () => {
  await withServer(
    (_req, res) => {
      res
        .writeHead(200)
        .end(
          lines(
            { status: 'Pulling from library/nope', id: 'latest' },
            { errorDetail: { message: 'manifest unknown' }, error: 'manifest unknown' },
            { status: 'never seen' },
          ),
        );
    },
    async (client) => {
      const seen: string[] = [];
      await assert.rejects(
        client.images.pull('nope').collect((m) => seen.push(m.status ?? '')),
        (err) => isPolisError(err) && err.message === 'manifest unknown' && err.context.inBand === true,
      );
      assert.deepEqual(seen, ['Pulling from library/nope']);
    },
  );
});

test('an HTTP error before the stream is the daemon error of the first read', async () => {
  await withServer(
    (_req, res) => {
      res.writeHead(404).end(JSON.stringify({ message: 'pull access denied for nope' }));
    },
    async (client) => {
      await assert.rejects(client.images.pull('nope').collect(), (err) => {
        return isPolisError(err) && err.kind === 'not_found' && err.context.status === 404;
      });
    },
  );
});

test('push: familiar name in the path, tag, and {} as X-Registry-Auth without credentials', async () => {
  const seen: { url?: string; auth?: string }[] = [];
  await withServer(
    (req, res) => {
      seen.push({ url: req.url, auth: req.headers['x-registry-auth'] as string | undefined });
      res
        .writeHead(200)
        .end(
          lines(
            { status: 'The push refers to repository [localhost:5000/app]' },
            { status: 'Pushed', progressDetail: {}, id: 'abc123def456' },
            { status: 'v1: digest: sha256:x size: 527' },
            { progressDetail: {}, aux: { Tag: 'v1', Digest: 'sha256:x', Size: 527 } },
          ),
        );
    },
    async (client) => {
      const got = await client.images.push('localhost:5000/app:v1').collect();
      assert.deepEqual(got[3]?.aux, { Tag: 'v1', Digest: 'sha256:x', Size: 527 });
      assert.deepEqual(seen[0], { url: '/v1.41/images/localhost%3A5000%2Fapp/push?tag=v1', auth: 'e30=' });
      await client.images.push('busybox', { allTags: true }).collect();
      assert.equal(seen[1]?.url, '/v1.41/images/busybox/push');
      assert.throws(() => client.images.push(`busybox@sha256:${'c'.repeat(64)}`), /digest reference/);
    },
  );
});

test('auth posts the credentials; a refusal is unauthorized', async () => {
  await withServer(
    (req, res, body) => {
      const creds = JSON.parse(body.toString()) as { password: string };
      assert.equal(req.url, '/v1.41/auth');
      if (creds.password === 'good')
        res.writeHead(200).end('{"Status":"Login Succeeded","IdentityToken":""}');
      else res.writeHead(401).end('{"message":"unauthorized: incorrect username or password"}');
    },
    async (client) => {
      const ok = await client.auth({ username: 'me', password: 'good', serveraddress: 'localhost:5000' });
      assert.equal(ok.Status, 'Login Succeeded');
      await assert.rejects(
        client.auth({ username: 'me', password: 'bad', serveraddress: 'localhost:5000' }),
        (err) => isPolisError(err) && err.kind === 'unauthorized',
      );
    },
  );
});

test('save streams the tar; load sends it and yields the result lines', async () => {
  let loaded: Buffer = Buffer.alloc(0);
  let loadUrl = '';
  await withServer(
    (req, res, body) => {
      if (req.url?.startsWith('/v1.41/images/get')) {
        assert.equal(req.url, '/v1.41/images/get?names=busybox&names=app%3A1');
        res.writeHead(200, { 'Content-Type': 'application/x-tar' }).end('TARBYTES');
      } else {
        loaded = body;
        loadUrl = req.url ?? '';
        res.writeHead(200).end(lines({ stream: 'Loaded image: busybox:latest\n' }));
      }
    },
    async (client) => {
      const tar = await readBody((await client.images.save(['busybox', 'app:1'])) as IncomingMessage);
      assert.equal(tar, 'TARBYTES');
      const got = await client.images
        .load(Readable.from([Buffer.from('TAR'), Buffer.from('BYTES')]), { quiet: true })
        .collect();
      assert.deepEqual(got, [{ stream: 'Loaded image: busybox:latest\n' }]);
      assert.equal(loaded.toString(), 'TARBYTES');
      assert.equal(loadUrl, '/v1.41/images/load?quiet=1');
    },
  );
});

test('history and prune', async () => {
  const urls: string[] = [];
  await withServer(
    (req, res) => {
      urls.push(req.url ?? '');
      if (req.url?.includes('history')) {
        res
          .writeHead(200)
          .end('[{"Id":"<missing>","Created":1,"CreatedBy":"x","Tags":null,"Size":3,"Comment":""}]');
      } else res.writeHead(200).end('{"ImagesDeleted":[{"Deleted":"sha256:a"}],"SpaceReclaimed":10}');
    },
    async (client) => {
      const h = await client.images.history('me/app:1');
      assert.equal(h[0]?.Id, '<missing>');
      const p = await client.images.prune({ dangling: ['false'] });
      assert.equal(p.SpaceReclaimed, 10);
      assert.deepEqual(urls, [
        '/v1.41/images/me%2Fapp%3A1/history',
        `/v1.41/images/prune?filters=${encodeURIComponent('{"dangling":{"false":true}}')}`,
      ]);
    },
  );
});
