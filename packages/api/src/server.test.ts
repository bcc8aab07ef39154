import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import type { Server } from 'node:http';
import { statSync, writeFileSync } from 'node:fs';
import { proc } from '@polis/core';
import { createApiServer } from './server.js';
import { listenUnix } from './listen.js';
import { fakeDeps, type FakeContainers, type FakeImages } from './testing/fakes.js';
import { closeServer, request, tempSocket } from './testing/http.js';

interface Harness {
  socket: string;
  server: Server;
  containers: FakeContainers;
  images: FakeImages;
}

async function withServer(fn: (h: Harness) => Promise<void>): Promise<void> {
  const { deps, containers, images } = fakeDeps();
  const server = createApiServer(deps);
  const socket = tempSocket();
  await listenUnix(server, socket);
  try {
    await fn({ socket, server, containers, images });
  } finally {
    await closeServer(server);
  }
}

const createBody = (extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ Image: 'busybox', Cmd: ['echo', 'hi'], ...extra });

test('_ping answers OK with Docker headers, GET and HEAD, versioned or not', () =>
  withServer(async ({ socket }) => {
    for (const [method, path] of [
      ['GET', '/_ping'],
      ['HEAD', '/_ping'],
      ['GET', '/v1.41/_ping'],
    ] as const) {
      const res = await request(socket, method, path);
      assert.equal(res.status, 200, path);
      assert.equal(res.text, method === 'HEAD' ? '' : 'OK');
      assert.equal(res.headers['api-version'], '1.41');
      assert.equal(res.headers['ostype'], 'linux');
      assert.equal(res.headers['docker-experimental'], 'false');
      assert.equal(res.headers['cache-control'], 'no-cache, no-store, must-revalidate');
      assert.equal(res.headers['pragma'], 'no-cache');
      assert.equal(res.headers['server'], 'Polis/0.1.0');
    }
  }));

test('version bounds, unknown routes and error mapping', () =>
  withServer(async ({ socket, containers }) => {
    const old = await request(socket, 'GET', '/v1.12/version');
    assert.equal(old.status, 400);
    assert.match((old.json() as { message: string }).message, /client version 1.12 is too old/);
    const tooNew = await request(socket, 'GET', '/v1.45/version');
    assert.equal(tooNew.status, 400);
    assert.match((tooNew.json() as { message: string }).message, /too new/);

    const missing = await request(socket, 'GET', '/v1.41/nothing/here');
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.json(), { message: 'page not found', code: 'request.unknown_route' });
    assert.equal(missing.headers['api-version'], '1.41');

    const gone = await request(socket, 'GET', '/containers/nope/json');
    assert.equal(gone.status, 404);
    assert.deepEqual(gone.json(), { message: 'No such container: nope', code: 'container.not_found' });

    const noImage = await request(socket, 'POST', '/containers/create', createBody({ Image: 'alpine' }));
    assert.equal(noImage.status, 404);
    assert.equal((noImage.json() as { message: string }).message, 'No such image: alpine');

    const badJson = await request(socket, 'POST', '/containers/create', '{nope');
    assert.equal(badJson.status, 400);
    assert.match((badJson.json() as { message: string }).message, /^invalid JSON/);

    const c = containers.add('web');
    const notRunning = await request(socket, 'POST', `/containers/${c.id}/kill`);
    assert.equal(notRunning.status, 409);
    assert.equal((notRunning.json() as { code: string }).code, 'container.not_running');

    const badSignal = await request(socket, 'POST', `/containers/${c.id}/kill?signal=NOPE`);
    assert.equal(badSignal.status, 400);

    // A non-PolisError is a 500 carrying its message.
    containers.list = () => {
      throw new Error('boom');
    };
    const boom = await request(socket, 'GET', '/containers/json');
    assert.equal(boom.status, 500);
    assert.deepEqual(boom.json(), { message: 'boom', code: 'internal' });
  }));

test('version and info bodies', () =>
  withServer(async ({ socket }) => {
    const v = (await request(socket, 'GET', '/v1.41/version')).json() as Record<string, unknown>;
    assert.equal(v.ApiVersion, '1.41');
    assert.equal(v.MinAPIVersion, '1.24');
    assert.equal(v.Version, '0.1.0');
    assert.equal(v.Os, 'linux');
    assert.match(String(v.GoVersion), /^node v\d+/);
    assert.equal((v.Components as { Name: string }[])[0]?.Name, 'Engine');
    const info = (await request(socket, 'GET', '/info')).json() as Record<string, unknown>;
    assert.equal(info.Name, 'fakehost');
    assert.equal(info.Driver, 'overlay2');
    assert.equal((info.Swarm as { LocalNodeState: string }).LocalNodeState, 'inactive');
  }));

test('create, start (204 then 304), stop, list, inspect, rename, remove', () =>
  withServer(async ({ socket, containers }) => {
    const created = await request(
      socket,
      'POST',
      '/v1.41/containers/create?name=web',
      createBody({ Tty: true }),
    );
    assert.equal(created.status, 201);
    const { Id, Warnings } = created.json() as { Id: string; Warnings: unknown[] };
    assert.match(Id, /^[0-9a-f]{64}$/);
    assert.deepEqual(Warnings, []);
    assert.equal((containers.calls[0]?.args[1] as { name: string }).name, 'web');

    assert.equal((await request(socket, 'POST', `/containers/${Id}/start`)).status, 204);
    const again = await request(socket, 'POST', `/containers/${Id}/start`);
    assert.equal(again.status, 304);
    assert.equal(again.text, '');

    const list = (await request(socket, 'GET', '/containers/json')).json() as Record<string, unknown>[];
    assert.equal(list.length, 1);
    assert.deepEqual(list[0]?.Names, ['/web']);
    assert.match(String(list[0]?.Status), /^Up (Less than a second|1 second)$/);

    const inspect = (await request(socket, 'GET', '/containers/web/json')).json() as Record<string, unknown>;
    assert.equal(inspect.Id, Id);
    assert.equal((inspect.Config as { Tty: boolean }).Tty, true);
    assert.equal((inspect.State as { Running: boolean }).Running, true);

    assert.equal((await request(socket, 'POST', '/containers/web/stop?t=3')).status, 204);
    assert.deepEqual(containers.calls.find((c) => c.verb === 'stop')?.args[1], { timeout: 3 });
    assert.equal((await request(socket, 'POST', '/containers/web/stop')).status, 304);
    const all = (
      await request(
        socket,
        'GET',
        '/containers/json?all=1&filters=' + encodeURIComponent('{"status":{"exited":true}}'),
      )
    ).json() as Record<string, unknown>[];
    assert.match(String(all[0]?.Status), /^Exited \(143\) /);
    assert.deepEqual(containers.calls.at(-1)?.args[0], { all: true, filters: { status: ['exited'] } });

    assert.equal((await request(socket, 'POST', '/containers/web/rename')).status, 400);
    assert.equal((await request(socket, 'POST', '/containers/web/rename?name=api')).status, 204);
    assert.equal((await request(socket, 'DELETE', '/containers/api?force=1&v=true')).status, 204);
    assert.deepEqual(containers.calls.at(-1)?.args[1], { force: true, volumes: true });
    assert.equal((await request(socket, 'GET', `/containers/${Id}/json`)).status, 404);
  }));

test('wait: the head comes before the container starts, the body when it exits', () =>
  withServer(async ({ socket, containers }) => {
    const c = containers.add('w');
    const head = new Promise<{ status: number; body: Promise<string> }>((resolve, reject) => {
      const req = httpRequest(
        { socketPath: socket, method: 'POST', path: `/v1.41/containers/${c.id}/wait?condition=next-exit` },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (b: Buffer) => chunks.push(b));
          resolve({
            status: res.statusCode ?? 0,
            body: new Promise((done) => res.on('end', () => done(Buffer.concat(chunks).toString()))),
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
    const res = await head;
    assert.equal(res.status, 200);
    assert.equal(containers.waiters.length, 1);
    assert.equal(containers.waiters[0]?.condition, 'next-exit');
    await containers.start(c.id);
    containers.exit(c.id, 7);
    assert.deepEqual(JSON.parse(await res.body), { StatusCode: 7, Error: null });

    const bad = await request(socket, 'POST', `/containers/${c.id}/wait?condition=sometime`);
    assert.equal(bad.status, 400);
    assert.equal((await request(socket, 'POST', '/containers/nope/wait')).status, 404);
  }));

test('wait is abandoned when the client goes away', () =>
  withServer(async ({ socket, containers }) => {
    const c = containers.add('w');
    await new Promise<void>((resolve) => {
      const req = httpRequest(
        { socketPath: socket, method: 'POST', path: `/containers/${c.id}/wait` },
        () => {
          req.destroy();
          resolve();
        },
      );
      req.on('error', () => undefined);
      req.end();
    });
    for (let i = 0; i < 50 && containers.waiters.length > 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(containers.waiters.length, 0);
  }));

test('attach with Upgrade: tcp hijacks the socket and multiplexes the output', () =>
  withServer(async ({ socket, containers }) => {
    const c = containers.add('a');
    const raw = connect(socket);
    const received: Buffer[] = [];
    const closed = new Promise<void>((resolve) => raw.on('close', () => resolve()));
    raw.on('data', (b: Buffer) => received.push(b));
    raw.write(
      `POST /v1.41/containers/${c.id}/attach?stream=1&stdout=1&stderr=1&stdin=1 HTTP/1.1\r\n` +
        'Host: api\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n',
    );
    for (let i = 0; i < 50 && !containers.lastAttach; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(
      { ...containers.lastAttach, stdin: containers.lastAttach?.stdin !== undefined },
      {
        logs: false,
        stream: true,
        stdout: true,
        stderr: true,
        stdin: true,
      },
    );
    containers.attachFeed.push('stdout', 'out\n');
    containers.attachFeed.push('stderr', 'err\n');
    containers.attachFeed.end();
    await closed;
    const all = Buffer.concat(received);
    const split = all.indexOf('\r\n\r\n');
    const head = all.subarray(0, split).toString();
    assert.match(head, /^HTTP\/1.1 101 UPGRADED\r\n/);
    assert.match(head, /Content-Type: application\/vnd.docker.multiplexed-stream/);
    assert.match(head, /Upgrade: tcp/);
    const body = all.subarray(split + 4);
    assert.deepEqual(
      body,
      Buffer.concat([
        Buffer.from([1, 0, 0, 0, 0, 0, 0, 4]),
        Buffer.from('out\n'),
        Buffer.from([2, 0, 0, 0, 0, 0, 0, 4]),
        Buffer.from('err\n'),
      ]),
    );
  }));

test('attach errors before the upgrade are plain HTTP errors; without Upgrade the body streams', () =>
  withServer(async ({ socket, containers }) => {
    const raw = connect(socket);
    const received: Buffer[] = [];
    raw.on('data', (b: Buffer) => received.push(b));
    raw.write(
      'POST /containers/nope/attach?stream=1&stdout=1 HTTP/1.1\r\nHost: api\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n',
    );
    await new Promise<void>((resolve) => raw.on('close', () => resolve()));
    const text = Buffer.concat(received).toString();
    assert.match(text, /^HTTP\/1.1 404 Not Found\r\n/);
    assert.match(text, /"message":"No such container: nope"/);

    const c = containers.add('t', (r) => (r.spec.basic.tty = true));
    containers.attachFeed.push('stdout', 'raw bytes');
    containers.attachFeed.end();
    const res = await request(socket, 'POST', `/containers/${c.id}/attach?stream=1&stdout=1`);
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/vnd.docker.raw-stream');
    assert.equal(res.text, 'raw bytes');
  }));

test('logs: framing, timestamps, options, and the at-least-one-stream rule', () =>
  withServer(async ({ socket, containers }) => {
    const c = containers.add('l');
    containers.logEntries = [
      { stream: 'stdout', time: '2024-05-01T10:00:00.5Z', data: Buffer.from('one\n') },
      { stream: 'stderr', time: '2024-05-01T10:00:01.000000002Z', data: Buffer.from('two\n') },
    ];
    const res = await request(
      socket,
      'GET',
      `/v1.41/containers/${c.id}/logs?stdout=1&stderr=1&timestamps=1&tail=5&since=1714557600.5&until=2024-05-01T11:00:00Z`,
    );
    assert.equal(res.status, 200);
    const l1 = '2024-05-01T10:00:00.500000000Z one\n';
    const l2 = '2024-05-01T10:00:01.000000002Z two\n';
    const header = (id: number, n: number): Buffer => Buffer.from([id, 0, 0, 0, 0, 0, 0, n]);
    assert.deepEqual(
      res.body,
      Buffer.concat([header(1, l1.length), Buffer.from(l1), header(2, l2.length), Buffer.from(l2)]),
    );
    assert.deepEqual(containers.lastLogOptions, {
      stdout: true,
      stderr: true,
      follow: false,
      tail: 5,
      since: 1714557600.5,
      until: 1714561200,
    });
    const none = await request(socket, 'GET', `/containers/${c.id}/logs`);
    assert.equal(none.status, 400);
    assert.equal(
      (none.json() as { message: string }).message,
      'Bad parameters: you must choose at least one stream',
    );
    assert.equal((await request(socket, 'GET', `/containers/${c.id}/logs?stdout=1&tail=lots`)).status, 400);
    await request(socket, 'GET', `/containers/${c.id}/logs?stdout=1&tail=all`);
    assert.equal(containers.lastLogOptions?.tail, undefined);
  }));

test('images: import as JSON lines, list, inspect and tag with slashes, history, delete, pull refused', () =>
  withServer(async ({ socket, images, containers }) => {
    const imported = await request(
      socket,
      'POST',
      '/v1.41/images/create?fromSrc=-&repo=localhost:5000/tools&tag=v1&message=hello&changes=CMD%20%5B%22sh%22%5D',
      Buffer.alloc(2048, 1),
      { 'Content-Type': 'application/x-tar' },
    );
    assert.equal(imported.status, 200);
    const lines = imported.text
      .split('\r\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { status: string });
    assert.equal(lines.length, 1);
    assert.match(lines[0]?.status ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.deepEqual(images.imports[0], {
      bytes: 2048,
      options: {
        source: '-',
        reference: 'localhost:5000/tools:v1',
        message: 'hello',
        changes: ['CMD ["sh"]'],
        size: 2048,
      },
    });

    const failed = await request(socket, 'POST', '/images/create?fromSrc=-');
    assert.equal(failed.status, 400);
    assert.equal((failed.json() as { code: string }).code, 'image.layer_invalid');

    const list = (await request(socket, 'GET', '/images/json')).json() as Record<string, unknown>[];
    assert.deepEqual(
      list.map((i) => i.RepoTags),
      [['busybox:latest'], ['localhost:5000/tools:v1']],
    );

    const inspect = await request(socket, 'GET', '/v1.41/images/localhost:5000/tools:v1/json');
    assert.equal(inspect.status, 200);
    assert.deepEqual((inspect.json() as { RepoTags: string[] }).RepoTags, ['localhost:5000/tools:v1']);

    assert.equal((await request(socket, 'POST', '/images/busybox/tag?repo=me/box&tag=2')).status, 201);
    assert.ok(images.get('busybox').repoTags.includes('me/box:2'));
    assert.equal((await request(socket, 'POST', '/images/busybox/tag')).status, 400);

    const history = (await request(socket, 'GET', '/images/busybox/history')).json() as { Id: string }[];
    assert.equal(history[0]?.Id, images.get('busybox').id);

    containers.add('user');
    const inUse = await request(socket, 'DELETE', '/images/busybox');
    assert.equal(inUse.status, 409);
    const removed = await request(socket, 'DELETE', '/images/localhost:5000/tools:v1');
    assert.equal(removed.status, 200);
    assert.deepEqual((removed.json() as object[]).length, 2);
    assert.equal((await request(socket, 'GET', '/images/localhost:5000/tools:v1/json')).status, 404);

    // A pull that fails before any progress is an HTTP error with its own status, as with dockerd.
    const unknown = await request(socket, 'POST', '/images/create?fromImage=localhost:5000/missing&tag=1');
    assert.equal(unknown.status, 404);
    assert.match((unknown.json() as { message: string }).message, /manifest unknown/);
    const auth = Buffer.from(JSON.stringify({ username: 'u', password: 'p' })).toString('base64url');
    const pull = await request(socket, 'POST', '/images/create?fromImage=busybox&tag=latest', undefined, {
      'X-Registry-Auth': auth,
    });
    assert.equal(pull.status, 200);
    const progress = pull.text
      .trim()
      .split(/\r?\n/)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(progress[0], {
      status: 'Pulling from library/busybox',
      progressDetail: {},
      id: 'latest',
    });
    assert.deepEqual(progress[1]?.progressDetail, { current: 5, total: 10 });
    assert.deepEqual(images.pulls.at(-1)?.options.auth, { username: 'u', password: 'p' });
    assert.equal(images.pulls.at(-1)?.reference, 'busybox:latest');
  }));

test('listenUnix replaces a stale socket, refuses a live one, and sets mode 0660', async () => {
  const { deps } = fakeDeps();
  const first = createApiServer(deps);
  const socket = tempSocket();
  await listenUnix(first, socket);
  assert.equal(statSync(socket).mode & 0o777, 0o660);
  const second = createApiServer(deps);
  await assert.rejects(
    listenUnix(second, socket),
    (e: Error & { code?: string }) =>
      e.code === 'daemon.socket_in_use' && /another daemon is already listening/.test(e.message),
  );
  await closeServer(first);

  // A socket file left behind by a crashed daemon: a process that listened and was SIGKILLed.
  const child = proc.start(process.execPath, [
    '-e',
    `require('node:net').createServer().listen(${JSON.stringify(socket)}, () => console.log('ready'))`,
  ]);
  await new Promise((resolve) => child.stdout?.once('data', resolve));
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  assert.equal(statSync(socket).isSocket(), true);
  await listenUnix(second, socket);
  assert.equal((await request(socket, 'GET', '/_ping')).text, 'OK');
  await closeServer(second);
  assert.throws(() => statSync(socket), /ENOENT/);

  // A regular file is never replaced.
  writeFileSync(socket, 'data');
  await assert.rejects(listenUnix(createApiServer(deps), socket), /is not a socket; refusing to replace it/);
});

test(
  'closeAllConnections also ends hijacked attach sockets, so the server can close',
  { timeout: 5000 },
  async () => {
    const { deps, containers } = fakeDeps();
    const server = createApiServer(deps);
    const socket = tempSocket();
    await listenUnix(server, socket);
    const c = containers.add('a');
    const raw = connect(socket);
    const closed = new Promise<void>((resolve) => raw.on('close', () => resolve()));
    raw.on('data', () => undefined);
    raw.write(
      `POST /containers/${c.id}/attach?stream=1&stdout=1 HTTP/1.1\r\nHost: api\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`,
    );
    for (let i = 0; i < 50 && !containers.lastAttach; i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(containers.lastAttach);
    await closeServer(server);
    await closed;
  },
);

test('a Docker route Polis lacks is 501 with a message; an unknown path stays 404', () =>
  withServer(async ({ socket }) => {
    const swarm = await request(socket, 'GET', '/v1.41/swarm');
    assert.equal(swarm.status, 501);
    assert.deepEqual(swarm.json(), {
      message: 'GET /swarm is not implemented by Polis',
      code: 'request.not_implemented',
    });
    const nothing = await request(socket, 'GET', '/v1.41/no/such/thing');
    assert.equal(nothing.status, 404);
  }));

test('a request line too long for the parser is a 400 with a Docker {"message"}, not a bare 431', () =>
  withServer(async ({ socket }) => {
    const res = await request(
      socket,
      'POST',
      `/v1.41/containers/create?name=${'a'.repeat(70 * 1024)}`,
      createBody(),
      {
        'Content-Type': 'application/json',
      },
    );
    assert.equal(res.status, 400);
    assert.match(res.headers['content-type'] ?? '', /application\/json/);
    assert.match((res.json() as { message: string }).message, /too long/);
  }));

test('a request Node cannot parse is a 400 with a Docker {"message"}', () =>
  withServer(async ({ socket }) => {
    const raw = await new Promise<string>((resolve, reject) => {
      const conn = connect(socket, () => conn.write('NOT HTTP AT ALL\r\n\r\n'));
      let text = '';
      conn.on('data', (b: Buffer) => (text += b.toString()));
      conn.on('end', () => resolve(text));
      conn.on('error', reject);
    });
    assert.match(raw, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.match(raw, /Content-Type: application\/json/);
    assert.match(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)).message, /^malformed HTTP request: HPE_/);
  }));

test('update names every resource it cannot change (none is dropped); zero values are no change', () =>
  withServer(async ({ socket }) => {
    const created = await request(socket, 'POST', '/v1.41/containers/create', createBody());
    const { Id } = created.json() as { Id: string };
    for (const field of ['OomKillDisable', 'MemorySwappiness', 'BlkioDeviceReadBps', 'DeviceCgroupRules']) {
      const value = {
        OomKillDisable: true,
        MemorySwappiness: 10,
        BlkioDeviceReadBps: [{ Path: '/dev/vda', Rate: 1 }],
        DeviceCgroupRules: ['c 1:3 r'],
      }[field];
      const res = await request(
        socket,
        'POST',
        `/v1.41/containers/${Id}/update`,
        JSON.stringify({ [field]: value }),
      );
      assert.equal(res.status, 501, field);
      assert.match(
        (res.json() as { message: string }).message,
        new RegExp(`updating ${field} of a container`),
      );
    }
    const zeros = {
      RestartPolicy: { Name: 'always' },
      OomKillDisable: false,
      MemorySwappiness: -1,
      BlkioWeightDevice: [],
    };
    const ok = await request(socket, 'POST', `/v1.41/containers/${Id}/update`, JSON.stringify(zeros));
    assert.equal(ok.status, 200, ok.text);
  }));

test('create answers with the warnings of discarded settings', () =>
  withServer(async ({ socket }) => {
    const res = await request(
      socket,
      'POST',
      '/v1.41/containers/create',
      createBody({ HostConfig: { CpuPercent: 50 } }),
    );
    assert.equal(res.status, 201);
    assert.deepEqual((res.json() as { Warnings: string[] }).Warnings, [
      'linux does not support CPU percent. Percent discarded.',
    ]);
  }));

test('the security report is served under /polis/v1; a stopped container is a 409', () =>
  withServer(async ({ socket, containers }) => {
    const stopped = containers.add('idle');
    const res = await request(socket, 'GET', `/polis/v1/containers/${stopped.id}/security`);
    assert.equal(res.status, 409);
    assert.equal((res.json() as { code: string }).code, 'container.not_running');
    const running = containers.add('busy', (r) => {
      r.state = { ...r.state, status: 'running', pid: 4242 };
    });
    const ok = await request(socket, 'GET', `/v1.41/polis/v1/containers/busy/security`);
    assert.equal(ok.status, 200, ok.text);
    assert.equal((ok.json() as { pid: number }).pid, running.state.pid);
    const missing = await request(socket, 'GET', '/polis/v1/containers/nope/security');
    assert.equal(missing.status, 404);
  }));
