import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import type { DockerEvent } from '../events/event.js';
import type { StatsSample } from '../stats/types.js';
import { AlertEngine } from './engine.js';
import { AlertStore } from './store.js';

function sample(cpuNs: number, systemNs: number, usage: number): StatsSample {
  return {
    readAt: Date.now(),
    cgroupVersion: 1,
    cpu: {
      totalNs: cpuNs,
      perCpuNs: [],
      userNs: 0,
      systemNs: 0,
      throttling: { periods: 0, throttledPeriods: 0, throttledTimeNs: 0 },
    },
    systemCpuNs: systemNs,
    onlineCpus: 2,
    memory: { usage, limit: 100, stats: { total_inactive_file: 10 } },
    blkio: { serviceBytes: [], serviced: [] },
    pids: { current: 1 },
    networks: {},
  };
}

test('cpu and memory fire on readings over the threshold and resolve under it or when the container stops', async () => {
  const published: DockerEvent[] = [];
  const readings: StatsSample[] = [];
  let running = true;
  const engine = new AlertEngine({
    store: new AlertStore(new Database(':memory:')),
    host: {
      subscribe: () => () => undefined,
      publish: (e) => published.push(e),
      running: () => (running ? [{ id: 'c1', name: 'web', image: 'busybox' }] : []),
      readStats: () => readings.shift(),
      hostMemory: 1000,
      dataRoot: '/',
    },
  });
  engine.add({ name: 'hot', on: 'cpu > 50%', event: true });
  engine.add({ name: 'big', on: 'memory > 80%', event: true });
  const seen = (): string[] =>
    published.map((e) => `${e.Actor.Attributes.rule} ${e.Action} ${e.Actor.Attributes.value ?? ''}`);
  readings.push(sample(0, 0, 50)); // first reading: no CPU % yet; memory (50-10)/100 = 40 %
  await engine.tick();
  assert.deepEqual(seen(), []);
  readings.push(sample(600, 1000, 95)); // 600/1000 × 2 CPUs = 120 %; memory 85 %
  await engine.tick();
  assert.deepEqual(seen(), ['hot firing 120.0', 'big firing 85.0']);
  readings.push(sample(1200, 2000, 95)); // still over: nothing new
  await engine.tick();
  assert.equal(published.length, 2);
  readings.push(sample(1210, 3000, 95)); // CPU 2 %: resolved; memory still over
  await engine.tick();
  assert.deepEqual(seen().slice(2), ['hot resolved 120.0']);
  running = false;
  await engine.tick();
  assert.deepEqual(seen().slice(3), ['big resolved 85.0']);
  await engine.close();
});

test('disk fires for the data root over the threshold', async () => {
  const published: DockerEvent[] = [];
  const engine = new AlertEngine({
    store: new AlertStore(new Database(':memory:')),
    host: {
      subscribe: () => () => undefined,
      publish: (e) => published.push(e),
      running: () => [],
      readStats: () => undefined,
      hostMemory: 1,
      dataRoot: '/proc',
    },
  });
  // /proc has no blocks: 0 % used, never over.
  engine.add({ name: 'full', on: 'disk > 0.001%', event: true });
  await engine.tick();
  assert.deepEqual(published, []);
  await engine.close();
});
