import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ImageService } from '@polis/image';
import { PolisMetrics } from '@polis/monitor';
import type { ContainerService } from '@polis/runtime';
import { timedContainers, timedImages } from './timed-services.js';

function metrics(): PolisMetrics {
  return new PolisMetrics({
    containers: { list: () => [], runningPid: () => undefined },
    counts: { images: () => 0, volumes: () => 0, networks: () => 0 },
    processMetrics: false,
  });
}

test('container verbs are timed with their outcome; other calls pass through untouched', async () => {
  const m = metrics();
  class Fake {
    #calls = 0;
    async start(ref: string): Promise<string> {
      this.#calls++;
      return `started ${ref}`;
    }
    async stop(): Promise<void> {
      throw new Error('no such container');
    }
    get(ref: string): string {
      return `${ref}:${this.#calls}`;
    }
  }
  const c = timedContainers(new Fake() as unknown as ContainerService, m) as unknown as Fake;
  assert.equal(await c.start('web'), 'started web');
  await assert.rejects(c.stop(), /no such container/);
  assert.equal(c.get('web'), 'web:1', 'private state still reachable: methods run on the real object');
  const text = await m.render();
  assert.match(
    text,
    /polis_operation_duration_seconds_count\{operation="container_start",outcome="ok"\} 1\n/,
  );
  assert.match(
    text,
    /polis_operation_duration_seconds_count\{operation="container_stop",outcome="error"\} 1\n/,
  );
  assert.doesNotMatch(text, /operation="container_get"/);
});

test("a pull is timed and its layers' downloaded bytes counted, progress still reaching the caller", async () => {
  const m = metrics();
  const fake = {
    async pull(_ref: string, options: { onProgress?: (e: unknown) => void }) {
      const p = options.onProgress!;
      p({ id: 'l1', status: 'Downloading', current: 100, total: 300 });
      p({ id: 'l1', status: 'Downloading', current: 300, total: 300 });
      p({ id: 'l2', status: 'Downloading', current: 50, total: 50 });
      p({ id: 'l2', status: 'Pull complete' });
      return { name: 'x' };
    },
  };
  const seen: unknown[] = [];
  const images = timedImages(fake as unknown as ImageService, m);
  await images.pull('x', { onProgress: (e) => seen.push(e) });
  assert.equal(seen.length, 4);
  const text = await m.render();
  assert.match(text, /polis_image_pull_bytes_total 350\n/);
  assert.match(text, /polis_operation_duration_seconds_count\{operation="image_pull",outcome="ok"\} 1\n/);
});
