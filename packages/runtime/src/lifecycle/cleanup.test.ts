import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { emptySpec } from '@polis/core';
import type { ImageService } from '@polis/image';
import type { NetworkService } from '@polis/network';
import { settleCleanups } from '../context.js';
import { ContainerStore } from '../store/container-store.js';
import type { OciRuntime } from '../oci/runtime.js';
import { fakeContext, runningRecord } from '../testing/fake-context.js';
import { finishRun } from './exit.js';

/**
 * A `--rm` container's exit with a fake runtime, network and image service: the unmount fails `failures`
 * times before it works; `steps` records what the cleanup did, in order.
 */
async function retiring(failures: number) {
  const dir = await mkdtemp(join(tmpdir(), 'polis-cleanup-'));
  const steps: string[] = [];
  let unmounts = 0;
  let networkFreed!: () => void;
  const networkGate = new Promise<void>((resolve) => (networkFreed = resolve));
  const ctx = fakeContext(dir, {
    store: new ContainerStore(new Database(':memory:')),
    images: {
      unmountRootfs: async () => {
        unmounts++;
        steps.push(`unmount ${unmounts}`);
        if (unmounts <= failures) throw new Error('target is busy');
      },
    } as unknown as ImageService,
    networks: {
      forget: async () => {
        await networkGate;
        steps.push('network forgotten');
      },
    } as unknown as NetworkService,
  });
  ctx.runtimes.set('crun', {
    hasState: () => true,
    delete: async () => void steps.push('runtime delete'),
  } as unknown as OciRuntime);
  const spec = emptySpec('busybox');
  spec.lifecycle.autoRemove = true;
  const record = runningRecord(dir, 'gone', spec, {
    path: 'true',
    args: [],
    env: [],
    workingDir: '/',
    user: '',
  });
  await mkdir(record.paths.dir, { recursive: true });
  ctx.store.insert(record);
  return { ctx, record, steps, networkFreed, done: () => rm(dir, { recursive: true, force: true }) };
}

test('a --rm exit is answered removed before its cleanup, whose network part settles on its own', async () => {
  const { ctx, record, steps, networkFreed, done } = await retiring(0);
  try {
    const removed = ctx.waiters.add(record.id, 'removed');
    await ctx.locks.run(record.id, () => finishRun(ctx, record.id, 3, new Date()));
    assert.deepEqual(await removed, { StatusCode: 3 });
    // Gone for readers, its name free; the cleanup has not run yet.
    assert.equal(ctx.store.byId(record.id), undefined);
    assert.equal(ctx.store.idByName('gone'), undefined);
    assert.deepEqual(
      ctx.store.retired().map((r) => r.id),
      [record.id],
    );
    assert.equal(steps.length, 0, steps.join(', '));
    let networkSettled = false;
    const network = settleCleanups(ctx, 'network').then(() => (networkSettled = true));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(networkSettled, false, 'the network part waits for the endpoints to go');
    networkFreed();
    await network;
    await settleCleanups(ctx);
    assert.deepEqual(ctx.store.retired(), []);
    assert.equal(existsSync(record.paths.dir), false);
    assert.ok(steps.includes('runtime delete') && steps.includes('network forgotten'), steps.join(', '));
  } finally {
    await done();
  }
});

test('a cleanup whose unmount fails keeps the folder and its row, frees the waits, and is tried again', async () => {
  const { ctx, record, steps, networkFreed, done } = await retiring(1);
  try {
    networkFreed();
    await ctx.locks.run(record.id, () => finishRun(ctx, record.id, 0, new Date()));
    await settleCleanups(ctx);
    // The first try failed: nothing was deleted through the mount, the row stays, no wait is held.
    assert.equal(ctx.cleanups.size, 0);
    assert.equal(ctx.cleanupRetries.size, 1);
    assert.ok(existsSync(record.paths.dir));
    assert.deepEqual(
      ctx.store.retired().map((r) => r.id),
      [record.id],
    );
    // The retry (after 1 s) finishes it.
    const until = Date.now() + 5000;
    while (ctx.store.retired().length > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(ctx.store.retired(), []);
    assert.equal(existsSync(record.paths.dir), false);
    assert.equal(steps.filter((s) => s.startsWith('unmount')).length, 2);
    assert.equal(ctx.cleanupRetries.size, 0);
  } finally {
    for (const t of ctx.cleanupRetries.values()) clearTimeout(t);
    await done();
  }
});
