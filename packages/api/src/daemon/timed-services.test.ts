import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ImageService } from '@polis/image';
import { PolisMetrics } from '@polis/monitor';
import type { ContainerService } from '@polis/runtime';
import { timedContainers, timedImages, timedNetworks, type StepTimings } from './timed-services.js';

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

test("a container's network attach is timed, late registry included; other calls pass through", async () => {
  const timings: StepTimings = {};
  class FakeNetworks {
    #attached = 0;
    async attach(_info: unknown, pid: number): Promise<number> {
      if (pid < 0) throw new Error('no such process');
      return ++this.#attached;
    }
    count(): number {
      return this.#attached;
    }
  }
  const n = timedNetworks(new FakeNetworks(), timings);
  await n.attach({}, 1); // before the registry exists: not counted, not failed
  const m = metrics();
  timings.metrics = m;
  assert.equal(await n.attach({}, 2), 2);
  await assert.rejects(n.attach({}, -1), /no such process/);
  assert.equal(n.count(), 2);
  const text = await m.render();
  assert.match(text, /polis_operation_duration_seconds_count\{operation="network_attach",outcome="ok"\} 1\n/);
  assert.match(
    text,
    /polis_operation_duration_seconds_count\{operation="network_attach",outcome="error"\} 1\n/,
  );
});

test('a layer unpack is a step with its time and its size', async () => {
  const m = metrics();
  m.observeLayerUnpack(3 << 20, 0.2, true);
  const text = await m.render();
  assert.match(
    text,
    /polis_operation_duration_seconds_count\{operation="image_layer_unpack",outcome="ok"\} 1\n/,
  );
  assert.match(text, /polis_image_layer_unpack_bytes_sum\{outcome="ok"\} 3145728\n/);
  assert.match(text, /polis_image_layer_unpack_bytes_bucket\{le="4194304",outcome="ok"\} 1\n/);
  assert.match(text, /polis_image_layer_unpack_bytes_bucket\{le="1048576",outcome="ok"\} 0\n/);
});
