import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { emptySpec, isPolisError, type ContainerRecord, type DaemonConfig } from '@polis/core';
import type { ImageService } from '@polis/image';
import type { RuntimeContext } from '../context.js';
import { ContainerStore } from '../store/container-store.js';
import type { OciRuntime } from '../oci/runtime.js';
import { fakeContext as baseContext, runningRecord } from '../testing/fake-context.js';
import { finishRun } from './exit.js';
import { removeContainer } from './remove.js';
import { startContainer } from './start.js';

/**
 * A context whose OCI runtime is a fake: SIGKILL makes the container "exit" on the next turn, the way
 * conmon's exit file reaches the exit handler (under the container's lock).
 */
async function fakeContext(): Promise<{
  ctx: RuntimeContext;
  record: ContainerRecord;
  done: () => Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), 'polis-rm-'));
  const ctx = baseContext(dir, {
    config: { conmonPath: join(dir, 'no-conmon') } as DaemonConfig,
    store: new ContainerStore(new Database(':memory:')),
    images: { unmountRootfs: async () => undefined } as unknown as ImageService,
  });
  const runtime = {
    hasState: () => false,
    state: async () => undefined,
    delete: async () => undefined,
    kill: async (id: string, sig: string) => {
      if (sig !== 'KILL' && sig !== 'SIGKILL') return;
      setImmediate(() => void ctx.locks.run(id, () => finishRun(ctx, id, 137, new Date())));
    },
  };
  ctx.runtimes.set('crun', runtime as unknown as OciRuntime);
  const spec = emptySpec('busybox');
  spec.lifecycle.restartPolicy = { name: 'always', maximumRetryCount: 0 };
  const record = runningRecord(dir, 'victim', spec, {
    path: 'sleep',
    args: ['300'],
    env: [],
    workingDir: '/',
    user: '',
  });
  ctx.store.insert(record);
  return { ctx, record, done: () => rm(dir, { recursive: true, force: true }) };
}

test('rm -f holds the container against a start, a second rm and its restart policy until it is gone', async () => {
  const { ctx, record, done } = await fakeContext();
  try {
    // The start comes the moment the kill's exit is recorded, before the removal has the lock:
    // the window in which `restart` used to start the container again under `rm -f`.
    let start: Promise<unknown> | undefined;
    let second: Promise<unknown> | undefined;
    ctx.events.once(`exited:${record.id}`, () => {
      start = startContainer(ctx, record.id).then(
        () => 'started',
        (err: unknown) => err,
      );
      second = removeContainer(ctx, 'victim', { force: true }).then(
        () => 'removed twice',
        (err: unknown) => err,
      );
    });
    await removeContainer(ctx, 'victim', { force: true });

    assert.equal(ctx.store.byId(record.id), undefined, 'the record is gone');
    const refused = await start;
    assert.ok(isPolisError(refused, 'container.removal_in_progress'), `start: ${String(refused)}`);
    assert.equal(refused.message, 'container is marked for removal and cannot be started');
    const twice = await second;
    assert.ok(isPolisError(twice, 'container.removal_in_progress'), `second rm: ${String(twice)}`);
    assert.equal(twice.message, 'removal of container victim is already in progress');
    // The exit the kill caused does not schedule a policy restart.
    assert.equal(ctx.restarts.timers.size, 0);
    assert.equal(ctx.removals.size, 0, 'the mark is let go');
  } finally {
    for (const t of ctx.restarts.timers.values()) clearTimeout(t);
    await done();
  }
});

test('a refused rm (not forced, running) lets go of its mark: a later rm -f works', async () => {
  const { ctx, record, done } = await fakeContext();
  try {
    await assert.rejects(removeContainer(ctx, record.id), { code: 'container.is_running' });
    assert.equal(ctx.removals.size, 0);
    await removeContainer(ctx, record.id, { force: true });
    assert.equal(ctx.store.byId(record.id), undefined);
  } finally {
    await done();
  }
});
