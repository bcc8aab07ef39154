import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeTestPki, tlsDaemonArgs, type CertFiles, type TestPki } from '../harness/certs.js';
import { TestDaemon } from '../harness/daemon.js';
import { ok } from '../harness/expect.js';
import { freePort } from '../harness/network.js';
import { POLISD_BIN } from '../harness/paths.js';
import { runCommand, type CommandResult } from '../harness/run.js';

/** The environment of a user with no docker defaults of their own: only what the command line says. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const key of [
    'DOCKER_HOST',
    'DOCKER_CONTEXT',
    'DOCKER_TLS_VERIFY',
    'DOCKER_CERT_PATH',
    'POLIS_HOST',
  ]) {
    if (!(key in extra)) delete env[key];
  }
  return env;
}

interface Answer {
  status?: number;
  body?: string;
  /** The connection failed before any HTTP answer (the handshake was refused). */
  error?: string;
}

/** One HTTPS request from this process, presenting `client` (or no certificate). */
function httpsCall(
  port: number,
  ca: string,
  client: CertFiles | undefined,
  method: string,
  path: string,
  body?: unknown,
): Promise<Answer> {
  return Promise.all([readFile(ca), client && readFile(client.cert), client && readFile(client.key)]).then(
    ([caPem, cert, key]) =>
      new Promise<Answer>((resolve) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            method,
            path,
            ca: caPem,
            ...(cert && key ? { cert, key } : {}),
            agent: false,
            headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (b: Buffer) => chunks.push(b));
            res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
          },
        );
        req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
        req.end(body === undefined ? undefined : JSON.stringify(body));
      }),
  );
}

describe('remote API: mutual TLS, read-only certificates, the socket group', () => {
  let pki: TestPki;
  let d: TestDaemon;
  let port: number;
  const tcp = (): string => `tcp://127.0.0.1:${port}`;
  const docker = (client: CertFiles | undefined, args: string[], ca?: string): Promise<CommandResult> =>
    runCommand(
      'docker',
      [
        '--tlsverify',
        '--tlscacert',
        ca ?? pki.ca,
        ...(client ? ['--tlscert', client.cert, '--tlskey', client.key] : []),
        '-H',
        tcp(),
        ...args,
      ],
      // An empty cert path: docker must not find default certificates in ~/.docker.
      { env: cleanEnv({ DOCKER_CERT_PATH: join(pki.dir, 'none') }), timeoutMs: 60_000 },
    );

  before(async () => {
    pki = await makeTestPki();
    port = await freePort();
    d = await TestDaemon.start({ extraArgs: tlsDaemonArgs(pki, port) });
    await d.importBusybox();
  });

  after(async () => {
    await d?.cleanup();
    await pki?.cleanup();
  });

  it('the docker CLI with a client certificate of the CA can version, ps and run', async (t) => {
    const version = ok(
      await docker(pki.client, ['version', '--format', '{{.Server.APIVersion}}']),
      'version',
    );
    assert.equal(version, '1.41');
    assert.match(ok(await docker(pki.client, ['ps']), 'ps'), /^CONTAINER ID\s+IMAGE/);
    // What the handshake costs a whole docker command (reported, not asserted).
    const timed = async (run: () => Promise<CommandResult>): Promise<number> => {
      const started = performance.now();
      ok(await run());
      return performance.now() - started;
    };
    const unixMs: number[] = [];
    const tlsMs: number[] = [];
    for (let i = 0; i < 3; i++) {
      unixMs.push(await timed(() => d.docker(['ps'])));
      tlsMs.push(await timed(() => docker(pki.client, ['ps'])));
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[1] as number;
    t.diagnostic(
      `docker ps: unix socket ${median(unixMs).toFixed(0)} ms, mutual TLS ${median(tlsMs).toFixed(0)} ms (median of 3)`,
    );
    assert.equal(ok(await docker(pki.client, ['run', '--rm', 'busybox', 'echo', 'hi']), 'run'), 'hi');
    // stdin through the hijacked TLS connection, then docker's close_notify, then the output back.
    const cat = await runCommand(
      'docker',
      ['--tlsverify', '--tlscacert', pki.ca, '--tlscert', pki.client.cert, '--tlskey', pki.client.key].concat(
        ['-H', tcp(), 'run', '-i', '--rm', 'busybox', 'cat'],
      ),
      { env: cleanEnv({ DOCKER_CERT_PATH: join(pki.dir, 'none') }), input: 'through tls\n' },
    );
    assert.equal(ok(cat, 'run -i cat'), 'through tls');
  });

  it('without a client certificate, or with one of another CA, the handshake is refused', async () => {
    // The same request succeeds with the right certificate, so the failures below are the certificate's.
    assert.deepEqual(await httpsCall(port, pki.ca, pki.client, 'GET', '/_ping'), { status: 200, body: 'OK' });
    for (const client of [undefined, pki.otherClient]) {
      const answer = await httpsCall(port, pki.ca, client, 'GET', '/_ping');
      assert.equal(
        answer.status,
        undefined,
        `an HTTP answer without a valid certificate: ${JSON.stringify(answer)}`,
      );
      assert.ok(answer.error, JSON.stringify(answer));
      const res = await docker(client, ['version', '--format', '{{.Server.APIVersion}}']);
      assert.notEqual(res.code, 0, res.stdout);
      assert.doesNotMatch(res.stdout, /1\.41/);
      assert.match(res.stderr, /certificate|tls|handshake/i);
    }
    // The CA the client trusts does not matter: the server checks the client's against its own.
    const res = await docker(pki.otherClient, ['ps'], pki.ca);
    assert.notEqual(res.code, 0);
  });

  it('a read-only certificate (OU or listed CN) can list and inspect but not create, run, start or exec', async () => {
    const id = ok(
      await docker(pki.client, ['create', '--name', 'ro-target', 'busybox', 'sleep', '60']),
      'create',
    );
    for (const viewer of [pki.readonly, pki.auditor]) {
      assert.match(ok(await docker(viewer, ['ps', '-a']), 'ps'), /ro-target/);
      assert.match(ok(await docker(viewer, ['images']), 'images'), /busybox/);
      assert.equal(
        ok(await docker(viewer, ['inspect', '-f', '{{.Name}}', 'ro-target']), 'inspect'),
        '/ro-target',
      );
      for (const args of [
        ['create', 'busybox', 'true'],
        ['run', '--rm', 'busybox', 'echo', 'hi'],
        ['start', 'ro-target'],
        ['rm', '-f', 'ro-target'],
      ]) {
        const res = await docker(viewer, args);
        assert.notEqual(res.code, 0, `${args.join(' ')} succeeded for a read-only certificate`);
        assert.match(res.stderr, /read-only/, args.join(' '));
      }
      const answer = await httpsCall(port, pki.ca, viewer, 'POST', '/v1.41/containers/create', {
        Image: 'busybox',
      });
      assert.equal(answer.status, 403);
      assert.match(JSON.parse(answer.body ?? '{}').message, /read-only/);
    }
    // Nothing was made or removed by the refused calls.
    const all = ok(await docker(pki.client, ['ps', '-a', '--format', '{{.ID}} {{.Status}}']));
    assert.equal(all.split('\n').length, 1, all);
    assert.ok(id.startsWith(all.split(' ')[0] as string), all);
    assert.match(all, /Created/);
    ok(await docker(pki.client, ['rm', 'ro-target']));
  });

  it('the unix socket is 0660 root:polis', async () => {
    const info = await stat(d.socket);
    assert.equal((info.mode & 0o777).toString(8), '660');
    assert.equal(info.uid, 0);
    const group = ok(await runCommand('getent', ['group', 'polis']), 'getent group polis');
    assert.equal(info.gid, Number(group.split(':')[2]));
  });

  it('polis -H tcp:// --tlsverify, and DOCKER_TLS_VERIFY/DOCKER_CERT_PATH, reach the daemon', async () => {
    const flags = [
      '--tlsverify',
      '--tlscacert',
      pki.ca,
      '--tlscert',
      pki.client.cert,
      '--tlskey',
      pki.client.key,
    ];
    const env = cleanEnv();
    const res = await d.polis(['-H', tcp(), ...flags, 'version', '--format', '{{.Server.ApiVersion}}'], {
      env,
    });
    assert.equal(ok(res, 'polis version over TLS'), '1.41');
    const run = await d.polis(['-H', tcp(), ...flags, 'run', '-i', '--rm', 'busybox', 'cat'], {
      env,
      input: 'polis over tls\n',
    });
    assert.equal(ok(run, 'polis run -i over TLS'), 'polis over tls');
    // docker's conventions: ca.pem, cert.pem and key.pem in DOCKER_CERT_PATH.
    const certDir = join(pki.dir, 'docker-certs');
    await mkdir(certDir);
    await copyFile(pki.ca, join(certDir, 'ca.pem'));
    await copyFile(pki.readonly.cert, join(certDir, 'cert.pem'));
    await copyFile(pki.readonly.key, join(certDir, 'key.pem'));
    const viaEnv = {
      POLIS_HOST: tcp(),
      DOCKER_HOST: tcp(),
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: certDir,
    };
    assert.match(ok(await d.polis(['ps', '-a'], { env: viaEnv }), 'polis ps via env'), /CONTAINER ID/);
    const create = await d.polis(['create', 'busybox', 'true'], { env: viaEnv });
    assert.notEqual(create.code, 0);
    assert.match(create.stderr, /read-only/);
    // Without a certificate the polis CLI is refused too.
    const bare = await d.polis(['-H', tcp(), '--tlsverify', '--tlscacert', pki.ca, 'ps'], {
      env: { DOCKER_CERT_PATH: join(pki.dir, 'none') },
    });
    assert.notEqual(bare.code, 0);
    assert.doesNotMatch(bare.stdout, /CONTAINER ID/);
  });
});

describe('polisd refuses an API that anyone could reach', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'polis-refuse-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const polisd = async (args: string[]): Promise<CommandResult> =>
    runCommand(
      process.execPath,
      [POLISD_BIN, '--data-root', join(root, 'data'), '--exec-root', join(root, 'run'), ...args],
      { timeoutMs: 20_000 },
    );

  it('plain TCP off loopback is refused at start, even with --insecure-tcp-loopback', async () => {
    const port = await freePort();
    for (const extra of [[], ['--insecure-tcp-loopback']]) {
      const res = await polisd(['-H', `tcp://0.0.0.0:${port}`, ...extra]);
      assert.notEqual(res.code, 0);
      assert.match(res.stderr, /refusing to serve the API on tcp:\/\/0\.0\.0\.0:\d+ without TLS/);
    }
  });

  it('plain TCP on loopback is refused without --insecure-tcp-loopback, and served with it', async () => {
    const port = await freePort();
    const res = await polisd(['-H', `tcp://127.0.0.1:${port}`]);
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /--insecure-tcp-loopback/);
    const d = await TestDaemon.start({
      extraArgs: ['-H', `tcp://127.0.0.1:${port}`, '--insecure-tcp-loopback'],
    });
    try {
      const version = await runCommand(
        'docker',
        ['-H', `tcp://127.0.0.1:${port}`, 'version', '--format', '{{.Server.APIVersion}}'],
        {
          env: cleanEnv(),
        },
      );
      assert.equal(ok(version, 'docker over plain loopback TCP'), '1.41');
    } finally {
      await d.cleanup();
    }
  });
});
