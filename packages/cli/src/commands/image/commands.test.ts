/** The registry commands end to end against a fake daemon on a unix socket. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { decodeRegistryAuth, PolisClient } from '@polis/sdk/engine';
import { Cli, type CommandModule } from '../../cli.js';
import { describe } from '../../errors.js';
import { parseArgs } from '../../flags.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

interface Run {
  status: number;
  out: string;
  err: string;
}

interface Fixture {
  dir: string;
  requests: { method: string; url: string; auth?: string; body: string }[];
  run(command: CommandModule, argv: string[], stdin?: string): Promise<Run>;
}

async function withDaemon(handler: Handler, fn: (f: Fixture) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'polis-cli-'));
  const sock = join(dir, 'd.sock');
  const requests: Fixture['requests'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const auth = req.headers['x-registry-auth'] as string | undefined;
      requests.push({
        method: req.method ?? '',
        url: (req.url ?? '').replace('/v1.41', ''),
        ...(auth !== undefined ? { auth } : {}),
        body: body.toString(),
      });
      handler(req, res, body);
    });
  });
  await new Promise<void>((r) => server.listen(sock, r));
  const run = async (command: CommandModule, argv: string[], stdin = ''): Promise<Run> => {
    const out = new PassThrough();
    const err = new PassThrough();
    const cli = new Cli(
      PolisClient,
      `unix://${sock}`,
      { DOCKER_CONFIG: dir },
      out,
      err,
      Readable.from([Buffer.from(stdin)]),
    );
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
    await fn({ dir, requests, run });
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
}

const lines = (...msgs: object[]): string => msgs.map((m) => `${JSON.stringify(m)}\n`).join('');
const PULL_STREAM = lines(
  { status: 'Pulling from library/busybox', id: 'latest' },
  { status: 'Pulling fs layer', progressDetail: {}, id: 'abc123def456' },
  { status: 'Downloading', progressDetail: { current: 1, total: 2 }, id: 'abc123def456' },
  { status: 'Pull complete', progressDetail: {}, id: 'abc123def456' },
  { status: 'Status: Downloaded newer image for busybox:latest' },
);

test('pull: progress once per status, then the full reference; stored credentials as X-Registry-Auth', async () => {
  await withDaemon(
    (_req, res) => res.writeHead(200).end(PULL_STREAM),
    async ({ dir, requests, run }) => {
      const auth = Buffer.from('me:pw').toString('base64');
      writeFileSync(
        join(dir, 'config.json'),
        JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth } } }),
      );
      const pull = await import('./pull.js');
      const r = await run(pull, ['busybox']);
      assert.equal(r.status, 0);
      assert.equal(
        r.out,
        'latest: Pulling from library/busybox\nabc123def456: Pulling fs layer\nabc123def456: Pull complete\n' +
          'Status: Downloaded newer image for busybox:latest\ndocker.io/library/busybox:latest\n',
      );
      assert.equal(requests[0]?.url, '/images/create?fromImage=busybox&tag=latest');
      assert.deepEqual(decodeRegistryAuth(requests[0]?.auth ?? ''), {
        serveraddress: 'https://index.docker.io/v1/',
        username: 'me',
        password: 'pw',
      });
      const quiet = await run(pull, ['-q', 'busybox:1.36']);
      assert.equal(quiet.out, 'docker.io/library/busybox:1.36\n');
    },
  );
});

test('pull: an error line mid-stream is printed as it is and fails the command', async () => {
  await withDaemon(
    (_req, res) =>
      res
        .writeHead(200)
        .end(
          lines(
            { status: 'Pulling from library/busybox', id: 'latest' },
            { errorDetail: { message: 'unexpected EOF' }, error: 'unexpected EOF' },
          ),
        ),
    async ({ run }) => {
      const r = await run(await import('./pull.js'), ['busybox']);
      assert.equal(r.status, 1);
      assert.equal(r.out, 'latest: Pulling from library/busybox\n');
      assert.equal(r.err, 'unexpected EOF\n');
    },
  );
});

test('push: {} as X-Registry-Auth without credentials; -q prints the reference only', async () => {
  await withDaemon(
    (_req, res) =>
      res
        .writeHead(200)
        .end(
          lines(
            { status: 'The push refers to repository [localhost:5000/app]' },
            { status: 'Pushed', progressDetail: {}, id: 'abc123def456' },
            { status: 'latest: digest: sha256:x size: 527' },
            { progressDetail: {}, aux: { Tag: 'latest', Digest: 'sha256:x', Size: 527 } },
          ),
        ),
    async ({ requests, run }) => {
      const push = await import('./push.js');
      const r = await run(push, ['localhost:5000/app']);
      assert.equal(
        r.out,
        'The push refers to repository [localhost:5000/app]\nabc123def456: Pushed\nlatest: digest: sha256:x size: 527\n',
      );
      assert.equal(requests[0]?.url, '/images/localhost%3A5000%2Fapp/push?tag=latest');
      assert.equal(requests[0]?.auth, 'e30=');
      assert.equal((await run(push, ['-q', 'localhost:5000/app:v1'])).out, 'localhost:5000/app:v1\n');
    },
  );
});

test('login checks with the daemon, stores 0600; logout removes only that entry', async () => {
  await withDaemon(
    (_req, res, body) => {
      const creds = JSON.parse(body.toString()) as { password?: string };
      if (creds.password === 'pw') res.writeHead(200).end('{"Status":"Login Succeeded","IdentityToken":""}');
      else res.writeHead(401).end('{"message":"unauthorized: incorrect username or password"}');
    },
    async ({ dir, requests, run }) => {
      const path = join(dir, 'config.json');
      writeFileSync(path, JSON.stringify({ auths: { 'ghcr.io': { auth: 'eDp5' } }, psFormat: 'x' }));
      const login = await import('../system/login.js');
      const logout = await import('../system/logout.js');

      const bad = await run(login, ['-u', 'me', '--password-stdin', 'localhost:5000'], 'nope\n');
      assert.equal(bad.status, 1);
      assert.match(bad.err, /Error response from daemon: unauthorized/);
      assert.equal(JSON.parse(readFileSync(path, 'utf8')).auths['localhost:5000'], undefined);

      const ok = await run(login, ['-u', 'me', '--password-stdin', 'http://localhost:5000/v2/'], 'pw\n');
      assert.equal(ok.status, 0);
      assert.equal(ok.out, 'Login Succeeded\n');
      assert.deepEqual(JSON.parse(requests[1]?.body ?? ''), {
        username: 'me',
        password: 'pw',
        serveraddress: 'localhost:5000',
      });
      assert.equal(statSync(path).mode & 0o777, 0o600);
      const stored = JSON.parse(readFileSync(path, 'utf8'));
      assert.equal(Buffer.from(stored.auths['localhost:5000'].auth, 'base64').toString(), 'me:pw');

      // No flags: the stored credentials are tried first.
      const again = await run(login, ['localhost:5000']);
      assert.equal(again.out, 'Authenticating with existing credentials...\nLogin Succeeded\n');

      const noTty = await run(login, ['ghcr.io']);
      assert.match(noTty.err, /Cannot perform an interactive login from a non TTY device/);

      assert.equal(
        (await run(logout, ['localhost:5000'])).out,
        'Removing login credentials for localhost:5000\n',
      );
      assert.equal((await run(logout, ['localhost:5000'])).out, 'Not logged in to localhost:5000\n');
      assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), {
        auths: { 'ghcr.io': { auth: 'eDp5' } },
        psFormat: 'x',
      });
    },
  );
});

test('run of a missing image pulls it (progress on stderr) and creates again; --pull never does not', async () => {
  let created = 0;
  await withDaemon(
    (req, res) => {
      if (req.url?.includes('/containers/create')) {
        created++;
        if (created === 1 || created === 3) {
          res
            .writeHead(404)
            .end(JSON.stringify({ message: 'No such image: busybox:latest', code: 'image.not_found' }));
        } else res.writeHead(201).end('{"Id":"c0ffee","Warnings":[]}');
      } else res.writeHead(200).end(PULL_STREAM);
    },
    async ({ requests, run }) => {
      const create = await import('../container/create.js');
      const r = await run(create, ['busybox', 'true']);
      assert.equal(r.status, 0);
      assert.equal(r.out, 'c0ffee\n');
      assert.match(
        r.err,
        /^Unable to find image 'busybox:latest' locally\nlatest: Pulling from library\/busybox\n/,
      );
      assert.deepEqual(
        requests.map((q) => q.url),
        ['/containers/create', '/images/create?fromImage=busybox&tag=latest', '/containers/create'],
      );

      const never = await run(create, ['--pull', 'never', 'busybox']);
      assert.equal(never.status, 125);
      assert.equal(
        never.err,
        "polis: Error response from daemon: No such image: busybox:latest\nSee 'polis create --help'.\n",
      );
      assert.equal(requests.length, 4);

      const always = await run(create, ['--pull=always', '-q', 'busybox']);
      assert.equal(always.out, 'c0ffee\n');
      assert.equal(always.err, '');
      assert.deepEqual(
        requests.slice(4).map((q) => q.url),
        ['/images/create?fromImage=busybox&tag=latest', '/containers/create'],
      );
    },
  );
});

test('history table, save to a file, load, prune -f', async () => {
  await withDaemon(
    (req, res) => {
      if (req.url?.includes('/history')) {
        res.writeHead(200).end(
          JSON.stringify([
            {
              Id: 'sha256:0123456789abcdef',
              Created: 0,
              CreatedBy: '/bin/sh -c\t#(nop) CMD ["sh"]',
              Tags: ['busybox:latest'],
              Size: 0,
              Comment: '',
            },
            {
              Id: '<missing>',
              Created: 0,
              CreatedBy: 'x'.repeat(60),
              Tags: null,
              Size: 4_260_000,
              Comment: 'c',
            },
          ]),
        );
      } else if (req.url?.startsWith('/v1.41/images/get')) res.writeHead(200).end('TAR');
      else if (req.url?.startsWith('/v1.41/images/load'))
        res.writeHead(200).end(lines({ stream: 'Loaded image: busybox:latest\n' }));
      else res.writeHead(200).end('{"ImagesDeleted":[{"Deleted":"sha256:abc"}],"SpaceReclaimed":2000}');
    },
    async ({ dir, requests, run }) => {
      const h = await run(await import('./history.js'), ['-H=false', 'busybox']);
      const rows = h.out.split('\n');
      assert.match(rows[0] ?? '', /^IMAGE +CREATED AT +CREATED BY +SIZE +COMMENT$/);
      assert.match(rows[1] ?? '', /^0123456789ab +\S+ +\/bin\/sh -c #\(nop\) CMD \["sh"\] +0 *$/);
      assert.match(rows[2] ?? '', new RegExp(`^<missing> +\\S+ +${'x'.repeat(44)}… +4260000 +c$`));
      assert.equal(
        (await run(await import('./history.js'), ['-q', 'busybox'])).out,
        '0123456789ab\n<missing>\n',
      );

      const target = join(dir, 'out.tar');
      assert.equal((await run(await import('./save.js'), ['-o', target, 'busybox'])).status, 0);
      assert.equal(readFileSync(target, 'utf8'), 'TAR');

      const l = await run(await import('./load.js'), ['-i', target]);
      assert.equal(l.out, 'Loaded image: busybox:latest\n');
      assert.equal(requests.at(-1)?.body, 'TAR');
      assert.equal(requests.at(-1)?.url, '/images/load?quiet=1');

      const p = await run(await import('./prune.js'), ['-f']);
      assert.equal(p.out, 'Deleted Images:\ndeleted: sha256:abc\n\nTotal reclaimed space: 2kB\n');
      const declined = await run(await import('./prune.js'), ['-a'], 'n\n');
      assert.equal(
        declined.out,
        'WARNING! This will remove all images without at least one container associated to them.\n' +
          'Are you sure you want to continue? [y/N] Total reclaimed space: 0B\n',
      );
      assert.equal(requests.filter((q) => q.url.startsWith('/images/prune')).length, 1);
    },
  );
});
