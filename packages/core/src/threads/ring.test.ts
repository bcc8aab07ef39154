import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { RingJob, RingResult } from '../testing/ring-worker.js';
import { ThreadPool } from './pool.js';
import { SharedRing } from './ring.js';

const pool = new ThreadPool<RingJob, RingResult, { slot: number; length: number }>(
  new URL('../testing/ring-worker.js', import.meta.url),
);

test('the main thread fills, a worker takes: every byte once, in order, with the producer waiting', async () => {
  const ring = SharedRing.create(3, 1000);
  const consumed = pool.run({ kind: 'consume', ring: ring.share, delayEvery: 7 });
  const data = randomBytes(123_457);
  let waits = 0;
  let slot = 0;
  for (let at = 0; at < data.length; at += ring.size, slot = (slot + 1) % ring.slots) {
    if (!ring.isFree(slot)) waits++;
    assert.ok(await ring.freeAsync(slot));
    const length = data.copy(ring.view(slot), 0, at, at + ring.size);
    ring.publish(slot, length);
  }
  ring.end();
  const got = await consumed;
  assert.equal(got.size, data.length);
  assert.equal(got.digest, createHash('sha256').update(data).digest('hex'));
  assert.ok(waits > 0, 'the producer found its next slot still taken at times');
});

test('a worker fills, the main thread takes and releases: the worker waits for free slots', async () => {
  const ring = SharedRing.create(2, 4096);
  const hash = createHash('sha256');
  let size = 0;
  const produced = pool.run(
    { kind: 'produce', ring: ring.share, bytes: 100_000 },
    {
      onEvent: ({ slot, length }) => {
        hash.update(ring.view(slot, length));
        size += length;
        // Released later, as a socket write's callback would.
        setTimeout(() => ring.release(slot), 1);
      },
    },
  );
  const got = await produced;
  assert.equal(size, 100_000);
  assert.equal(got.digest, hash.digest('hex'));
});

test('stop wakes a worker waiting on either side', async () => {
  const waitingForData = SharedRing.create(2, 64);
  const consumer = pool.run({ kind: 'consume', ring: waitingForData.share });
  await new Promise((r) => setTimeout(r, 50));
  waitingForData.stop();
  assert.deepEqual(await consumer, { digest: '', size: 0, stopped: true });

  const waitingForRoom = SharedRing.create(2, 64);
  const producer = pool.run({ kind: 'produce', ring: waitingForRoom.share, bytes: 1000 });
  await new Promise((r) => setTimeout(r, 50));
  waitingForRoom.stop();
  const got = await producer;
  assert.equal(got.stopped, true);
  assert.equal(got.size, 128, 'it filled both slots, then waited');
  assert.equal(await waitingForRoom.freeAsync(0), false, 'the main thread sees the stop too');
});
