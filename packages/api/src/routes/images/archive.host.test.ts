import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createReadStream } from 'node:fs';
import Database from 'better-sqlite3';
import { proc, which, type ImageRecord } from '@polis/core';
import { LocalImageService } from '@polis/image';
import { EventLog } from '@polis/monitor';
import { createApiServer } from '../../server.js';
import { listenUnix } from '../../listen.js';
import { fakeDeps } from '../../testing/fakes.js';
import { closeServer, request, tempSocket } from '../../testing/http.js';

interface Harness {
  dir: string;
  socket: string;
  images: LocalImageService;
  events: EventLog;
  /** A fresh image store to load into, behind its own server. */
  second(): Promise<{ socket: string; images: LocalImageService }>;
  image(name: string, content: string): Promise<ImageRecord>;
}

/** Servers over real image stores on temp data roots (the rest of the deps are fakes). */
async function withServer(fn: (h: Harness) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'polis-api-archive-'));
  const closers: (() => Promise<void>)[] = [];
  const start = async (name: string) => {
    const db = new Database(join(dir, `${name}.db`));
    const images = new LocalImageService({ db, dataRoot: join(dir, name) });
    await images.init();
    const events = new EventLog(db);
    const { deps } = fakeDeps();
    const server = createApiServer({ ...deps, images, events });
    const socket = tempSocket();
    await listenUnix(server, socket);
    closers.push(async () => {
      await closeServer(server);
      db.close();
    });
    return { socket, images, events };
  };
  try {
    const first = await start('a');
    await fn({
      dir,
      ...first,
      second: () => start('b'),
      image: async (name, content) => {
        const root = join(dir, `rootfs-${content}`);
        await mkdir(root);
        await writeFile(join(root, 'file'), content);
        const tar = join(dir, `${content}.tar`);
        await proc.run('tar', ['-c', '-f', tar, '-C', root, '.']);
        return first.images.importTarball(createReadStream(tar), { reference: name });
      },
    });
  } finally {
    for (const close of closers) await close();
    await rm(dir, { recursive: true, force: true });
  }
}

function lines(text: string): unknown[] {
  return text
    .split('\r\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as unknown);
}

test('GET /images/get and /images/{name}/get stream a tar that POST /images/load reads', () =>
  withServer(async ({ socket, events, second, image }) => {
    const busybox = await image('busybox:latest', 'one');
    const app = await image('host:5000/team/app:2', 'two');

    const one = await request(socket, 'GET', '/v1.41/images/host:5000/team/app:2/get');
    assert.equal(one.status, 200);
    assert.equal(one.headers['content-type'], 'application/x-tar');
    const both = await request(socket, 'GET', '/images/get?names=busybox&names=host:5000/team/app:2');
    assert.equal(both.status, 200);
    // The inspect route with a greedy name still answers beside the save routes.
    assert.equal((await request(socket, 'GET', '/images/host:5000/team/app:2/json')).status, 200);
    const saves = events.history({}).filter((e) => e.Action === 'save');
    assert.deepEqual(
      saves.map((e) => e.id),
      [app.id, busybox.id, app.id],
    );

    const b = await second();
    const loaded = await request(b.socket, 'POST', '/images/load?quiet=1', both.body, {
      'Content-Type': 'application/x-tar',
    });
    assert.equal(loaded.status, 200);
    assert.equal(loaded.headers['content-type'], 'application/json');
    assert.deepEqual(lines(loaded.text), [
      { stream: 'Loaded image: busybox:latest\n' },
      { stream: 'Loaded image: host:5000/team/app:2\n' },
    ]);
    assert.equal(b.images.get('busybox').id, busybox.id);
    assert.equal(b.images.get('host:5000/team/app:2').id, app.id);
  }));

test('save of an unknown image is a 404, a bad archive to load a 400 with its code', () =>
  withServer(async ({ socket, images }) => {
    const missing = await request(socket, 'GET', '/images/get?names=nosuch');
    assert.equal(missing.status, 404);
    assert.match((missing.json() as { message: string }).message, /^No such image: nosuch/);
    assert.equal((await request(socket, 'GET', '/images/get')).status, 400);

    const bad = await request(socket, 'POST', '/images/load', 'not a tar archive at all'.repeat(40));
    assert.equal(bad.status, 400);
    assert.equal((bad.json() as { code: string }).code, 'image.archive_invalid');
    assert.deepEqual(images.list(), []);
  }));

const docker = which('docker');

test('docker save and docker load work against the server', { skip: docker ? false : 'no docker CLI' }, () =>
  withServer(async ({ dir, socket, second, image }) => {
    const busybox = await image('busybox:latest', 'cli');
    const b = await second();
    const env = (sock: string): NodeJS.ProcessEnv => {
      const e: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: `unix://${sock}`, DOCKER_CONFIG: dir };
      delete e.DOCKER_CONTEXT;
      return e;
    };
    const file = join(dir, 'saved.tar');
    await proc.run(docker as string, ['save', '-o', file, 'busybox'], {
      env: env(socket),
      timeoutMs: 20_000,
    });
    assert.ok((await readFile(file)).length > 1024);
    const out = await proc.run(docker as string, ['load', '-i', file], {
      env: env(b.socket),
      timeoutMs: 20_000,
    });
    assert.match(out.stdout, /Loaded image: busybox:latest/);
    assert.equal(b.images.get('busybox').id, busybox.id);
  }),
);
