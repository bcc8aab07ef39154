import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fstatSync, openSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPolisError } from '../errors.js';
import type { EchoJob } from '../testing/echo-worker.js';
import { ThreadPool } from './pool.js';

const pool = new ThreadPool<EchoJob, { text: string; thread: number }, string>(
  new URL('../testing/echo-worker.js', import.meta.url),
);

test('a job answers, and reports its events on the way', async () => {
  const events: string[] = [];
  const got = await pool.run({ kind: 'echo', text: 'hi' }, { onEvent: (e) => events.push(e) });
  assert.equal(got.text, 'HI');
  assert.deepEqual(events, ['started echo']);
});

test('a PolisError keeps its code and context; another error is internal with its errno', async () => {
  await assert.rejects(
    pool.run({ kind: 'polis' }),
    (err) =>
      isPolisError(err, 'image.not_found') && err.context.what === 'thing' && err.message === 'no such thing',
  );
  await assert.rejects(
    pool.run({ kind: 'plain' }),
    (err) =>
      isPolisError(err, 'internal') && err.context.errno === 'EPIPE' && /broken pipe/.test(err.message),
  );
});

test('a worker is reused after its job; jobs at once run on threads of their own', async () => {
  const first = await pool.run({ kind: 'echo', text: 'a' });
  const second = await pool.run({ kind: 'echo', text: 'b' });
  assert.equal(second.thread, first.thread, 'the idle worker took the next job');
  const both = await Promise.all([
    pool.run({ kind: 'sleep', ms: 200 }),
    pool.run({ kind: 'sleep', ms: 200 }),
  ]);
  assert.notEqual(both[0].thread, both[1].thread, 'a busy worker is not given a second job');
});

test('a worker that dies before answering fails the job and closes the descriptors handed over', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'polis-pool-'));
  try {
    const fd = openSync(join(dir, 'f'), 'w');
    const broken = new ThreadPool<EchoJob, unknown>(new URL('../testing/no-such-worker.js', import.meta.url));
    await assert.rejects(broken.run({ kind: 'echo', text: 'x' }, { handsOver: [fd] }), (err) =>
      isPolisError(err, 'internal'),
    );
    assert.throws(() => fstatSync(fd), /EBADF/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
