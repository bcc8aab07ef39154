import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BalancerBackend, ServiceBalancer } from '@polis/network';
import { loadProject } from '../compose/load.js';
import type { Admission, PlacementRequest, Scheduler } from '../scheduler/types.js';
import type { Autoscaler, ServiceSample } from '../autoscale/types.js';
import { createScheduler } from '../scheduler/index.js';
import { StackController } from './controller.js';
import type { Engine, EngineContainer } from './engine.js';
import { L, configHash } from './labels.js';
import type { StackEvent, StackRecord, StackStore } from './types.js';

/** An engine in memory: containers run until told otherwise; health is whatever the test sets. */
class FakeEngine implements Engine {
  readonly made = new Map<string, EngineContainer & { body: Record<string, unknown> }>();
  readonly networks = new Set<string>();
  readonly volumes = new Set<string>();
  readonly log: string[] = [];
  private seq = 0;
  health: string | undefined;

  containers(project: string): Promise<EngineContainer[]> {
    return Promise.resolve(
      [...this.made.values()].filter((c) => c.labels[L.project] === project).map((c) => ({ ...c })),
    );
  }
  create(name: string, body: Record<string, unknown>): Promise<string> {
    if ([...this.made.values()].some((c) => c.name === name)) throw new Error(`name in use: ${name}`);
    const id = `id${++this.seq}`;
    const net = Object.keys((body['NetworkingConfig'] as { EndpointsConfig: object }).EndpointsConfig)[0]!;
    this.made.set(id, {
      id,
      name,
      body,
      labels: body['Labels'] as Record<string, string>,
      status: 'created',
      running: false,
      exitCode: 0,
      startedAt: new Date().toISOString(),
      ips: { [net]: `10.0.0.${this.seq}` },
    });
    this.log.push(`create ${name}`);
    return Promise.resolve(id);
  }
  connect(): Promise<void> {
    return Promise.resolve();
  }
  start(id: string): Promise<void> {
    const c = this.made.get(id)!;
    Object.assign(c, { status: 'running', running: true, ...(this.health ? { health: this.health } : {}) });
    this.log.push(`start ${c.name}`);
    return Promise.resolve();
  }
  stop(id: string): Promise<void> {
    const c = this.made.get(id);
    if (c) Object.assign(c, { status: 'exited', running: false });
    this.log.push(`stop ${c?.name}`);
    return Promise.resolve();
  }
  remove(id: string): Promise<void> {
    this.log.push(`remove ${this.made.get(id)?.name}`);
    this.made.delete(id);
    return Promise.resolve();
  }
  ensureNetwork(name: string): Promise<void> {
    this.networks.add(name);
    return Promise.resolve();
  }
  removeNetwork(name: string): Promise<void> {
    this.networks.delete(name);
    return Promise.resolve();
  }
  ensureVolume(name: string): Promise<void> {
    this.volumes.add(name);
    return Promise.resolve();
  }
  removeVolume(name: string): Promise<void> {
    this.volumes.delete(name);
    return Promise.resolve();
  }
  exit(name: string, code: number): void {
    const c = [...this.made.values()].find((x) => x.name === name)!;
    Object.assign(c, { status: 'exited', running: false, exitCode: code });
  }
}

class MemoryStore implements StackStore {
  readonly rows = new Map<string, string>();
  list(): StackRecord[] {
    return [...this.rows.values()].map((r) => JSON.parse(r) as StackRecord);
  }
  get(name: string): StackRecord | undefined {
    const r = this.rows.get(name);
    return r ? (JSON.parse(r) as StackRecord) : undefined;
  }
  put(record: StackRecord): void {
    this.rows.set(record.name, JSON.stringify(record));
  }
  delete(name: string): void {
    this.rows.delete(name);
  }
}

class FakeBalancer implements ServiceBalancer {
  readonly sets = new Map<string, BalancerBackend[]>();
  constructor(private readonly log: string[]) {}
  setBackends(key: string, _f: unknown, backends: BalancerBackend[]): Promise<void> {
    this.sets.set(key, backends);
    return Promise.resolve();
  }
  drain(key: string, id: string): Promise<void> {
    this.log.push(`drain ${key} ${id}`);
    return Promise.resolve();
  }
  counters(key: string): Promise<Array<{ containerId: string; connections: number }>> {
    return Promise.resolve(
      (this.sets.get(key) ?? []).map((b) => ({ containerId: b.containerId, connections: 100 })),
    );
  }
  remove(key: string): Promise<void> {
    this.sets.delete(key);
    return Promise.resolve();
  }
  list(): string[] {
    return [...this.sets.keys()];
  }
}

class FakeScheduler implements Scheduler {
  readonly held = new Map<string, PlacementRequest>();
  room = Infinity;
  admit(request: PlacementRequest): Admission {
    if (this.held.size >= this.room)
      return { admitted: false, reason: 'insufficient memory: test host is full' };
    this.held.set(request.key, request);
    return { admitted: true };
  }
  release(key: string): void {
    this.held.delete(key);
  }
  placed(): PlacementRequest[] {
    return [...this.held.values()];
  }
}

function setup(text: string, realScheduler?: Scheduler) {
  const engine = new FakeEngine();
  const store = new MemoryStore();
  const balancer = new FakeBalancer(engine.log);
  const scheduler = new FakeScheduler();
  const events: StackEvent[] = [];
  const samples: ServiceSample[] = [];
  let clock = 1_000_000;
  let nextDecision: number | null = null;
  const autoscaler: Autoscaler = {
    observe: (s) => void samples.push(s),
    decide: () =>
      nextDecision === null
        ? null
        : {
            from: samples.at(-1)!.replicas,
            to: nextDecision,
            reason: 'cpu 180% > target 50%',
            metric: 'cpu',
            value: 180,
            target: 50,
          },
  };
  const controller = new StackController({
    engine,
    store,
    balancer,
    scheduler: realScheduler ?? scheduler,
    autoscaler: () => autoscaler,
    autoscalePolicy: (svc) =>
      svc.extensions['x-polis-autoscale']
        ? { min: 1, max: 5, targetCpuPercent: 50, scaleUpCooldownMs: 0, scaleDownCooldownMs: 0 }
        : undefined,
    publish: (e) => void events.push(e),
    sample: () => ({ cpuPercent: 180, memoryPercent: 10 }),
    now: () => clock,
    sleep: (ms) => {
      clock += ms;
      return Promise.resolve();
    },
    autoscaleEveryMs: 1000,
  });
  const project = (t = text) =>
    loadProject({ files: [{ path: 'c.yml', content: t }], workingDir: '/w/demo', env: {} });
  return {
    engine,
    store,
    balancer,
    scheduler,
    events,
    samples,
    controller,
    project,
    advance: (ms: number) => (clock += ms),
    decide: (n: number | null) => (nextDecision = n),
    names: () => [...engine.made.values()].map((c) => c.name).sort(),
  };
}

const WEB = `services:
  web:
    image: busybox
    ports: ["8080:80"]
    deploy: {replicas: 2}
  job:
    image: busybox
`;

describe('StackController with fakes', () => {
  it('up: networks, volumes and replicas named and labelled as docker-compose 1.29 makes them', async () => {
    const t = setup(WEB);
    const p = t.project();
    await t.controller.apply(p);
    assert.deepEqual(t.names(), ['demo_job_1', 'demo_web_1', 'demo_web_2']);
    assert.deepEqual([...t.engine.networks], ['demo_default']);
    const web1 = [...t.engine.made.values()].find((c) => c.name === 'demo_web_1')!;
    assert.equal(web1.labels[L.project], 'demo');
    assert.equal(web1.labels[L.service], 'web');
    assert.equal(web1.labels[L.number], '1');
    assert.equal(web1.labels[L.oneoff], 'False');
    assert.equal(web1.labels[L.version], '1.29.2');
    assert.equal(web1.labels[L.hash], configHash(p.services['web']!, p));
    assert.equal(web1.labels[L.workingDir], '/w/demo');
    // Two replicas behind one published port: the balancer owns it, the containers bind nothing.
    assert.deepEqual((web1.body['HostConfig'] as { PortBindings: object }).PortBindings, {});
    const job = [...t.engine.made.values()].find((c) => c.name === 'demo_job_1')!;
    assert.deepEqual((job.body['HostConfig'] as { PortBindings: object }).PortBindings, {});
    assert.deepEqual(t.events.map((e) => e.action).slice(0, 1), ['create']);
  });

  it('the balancer gets the healthy running replicas: container IP on the service network and target port', async () => {
    const t = setup(WEB);
    await t.controller.apply(t.project());
    const set = t.balancer.sets.get('demo/web/80')!;
    assert.deepEqual(
      set.map((b) => b.port),
      [80, 80],
    );
    assert.equal(set.length, 2);
    assert.ok(set.every((b) => /^10\.0\.0\.\d+$/.test(b.ip)));
    // A replica turning unhealthy leaves the rotation; it is drained before it is stopped.
    const [first] = [...t.engine.made.values()].filter((c) => c.name.startsWith('demo_web'));
    first!.health = 'unhealthy';
    await t.controller.tick();
    const log = t.engine.log.join('\n');
    assert.ok(log.indexOf(`drain demo/web/80 ${first!.id}`) < log.indexOf(`stop ${first!.name}`), log);
    assert.ok(t.events.some((e) => e.action === 'replace' && e.attributes['reason'] === 'unhealthy'));
  });

  it('replaces an exited replica with back-off; a completed one-off job is left alone', async () => {
    const t = setup(WEB);
    await t.controller.apply(t.project());
    t.engine.exit('demo_job_1', 0);
    t.engine.exit('demo_web_2', 137);
    await t.controller.tick();
    assert.equal(t.events.filter((e) => e.action === 'replace').length, 1);
    assert.equal(
      [...t.engine.made.values()].filter((c) => c.name.startsWith('demo_web') && c.running).length,
      2,
    );
    assert.equal([...t.engine.made.values()].find((c) => c.name === 'demo_job_1')!.status, 'exited');
    // A second death at once waits for the back-off (1 s after the first, then 2 s).
    t.engine.exit('demo_web_2', 1);
    await t.controller.tick();
    assert.equal(t.events.filter((e) => e.action === 'replace').length, 1);
    t.advance(1500);
    await t.controller.tick();
    assert.equal(t.events.filter((e) => e.action === 'replace').length, 2);
    assert.deepEqual(
      t.events.filter((e) => e.action === 'replace').map((e) => e.attributes['backoff_ms']),
      ['1000', '2000'],
    );
    const status = await t.controller.status('demo');
    assert.match(status.find((s) => s.service === 'web')!.lastError ?? '', /exited with code 1/);
  });

  it('the scheduler: a replica not admitted stays pending with the reason; reservations are released on stop', async () => {
    const t = setup(WEB);
    t.scheduler.room = 2;
    await t.controller.apply(t.project());
    assert.equal(t.engine.made.size, 2);
    const pending = t.events.find((e) => e.action === 'pending');
    assert.equal(pending?.attributes['reason'], 'insufficient memory: test host is full');
    const status = await t.controller.status('demo');
    assert.ok(status.some((s) => s.pending === 'insufficient memory: test host is full'));
    assert.deepEqual(t.names(), ['demo_web_1', 'demo_web_2']);
    await t.controller.scale('demo', 'web', 1);
    assert.deepEqual(t.names(), ['demo_job_1', 'demo_web_1'], 'room freed: the pending replica starts');
    assert.deepEqual([...t.scheduler.held.keys()].sort(), ['demo/job/1', 'demo/web/1']);
    await t.controller.remove('demo', { volumes: true });
    assert.equal(t.scheduler.held.size, 0);
    assert.equal(t.engine.made.size, 0);
    assert.deepEqual([...t.engine.networks], []);
  });

  it('priorities: a higher-priority stack preempts a lower one on a full host, which then stays pending', async () => {
    const GiB = 1024 ** 3;
    const t = setup('services: {}', createScheduler({ cpus: 2, memoryBytes: GiB }));
    const stack = (name: string, priority: number) =>
      loadProject({
        files: [
          {
            path: 'c.yml',
            content: `name: ${name}\nservices:\n  app:\n    image: busybox\n    x-polis-priority: ${priority}\n    deploy: {resources: {reservations: {memory: 600M}}}\n`,
          },
        ],
        workingDir: `/w/${name}`,
        env: {},
      });
    await t.controller.apply(stack('low', 0));
    assert.deepEqual(t.names(), ['low_app_1']);
    await t.controller.apply(stack('high', 10));
    assert.deepEqual(t.names(), ['high_app_1'], 'the low-priority replica made room');
    const preempt = t.events.find((e) => e.action === 'preempt');
    assert.equal(preempt?.stack, 'low');
    assert.equal(preempt?.attributes['by'], 'high/app/1');
    assert.ok(
      t.engine.log.indexOf('stop low_app_1') < t.engine.log.indexOf('start high_app_1'),
      'stopped first',
    );
    await t.controller.tick();
    const low = await t.controller.status('low');
    assert.match(low[0]?.pending ?? '', /insufficient memory/);
    assert.deepEqual(t.names(), ['high_app_1'], 'the preempted replica does not push back');
    await t.controller.remove('high', { volumes: true });
    await t.controller.tick();
    assert.deepEqual(t.names(), ['low_app_1'], 'room again: the preempted service runs');
  });

  it('only services whose config-hash changed are recreated', async () => {
    const t = setup(WEB);
    await t.controller.apply(t.project());
    const before = new Map([...t.engine.made.values()].map((c) => [c.name, c.id]));
    await t.controller.apply(
      t.project(
        WEB.replace('  job:\n    image: busybox\n', '  job:\n    image: busybox\n    command: ["true"]\n'),
      ),
    );
    await t.controller.tick();
    const after = new Map([...t.engine.made.values()].map((c) => [c.name, c.id]));
    assert.ok(
      after.get('demo_job_1') && after.get('demo_job_1') !== before.get('demo_job_1'),
      'job recreated',
    );
    assert.equal(after.get('demo_web_1'), before.get('demo_web_1'));
    assert.equal(after.get('demo_web_2'), before.get('demo_web_2'));
    // A replicas change is not a config change.
    assert.equal(
      configHash(t.project().services['web']!, t.project()),
      configHash(t.project(WEB.replace('replicas: 2', 'replicas: 5')).services['web']!, t.project()),
    );
    assert.equal(t.store.get('demo')!.previous['job']?.command, undefined, 'the previous job config is kept');
    assert.ok(t.store.get('demo')!.previous['job']);
    assert.equal(t.store.get('demo')!.previous['web'], undefined);
  });

  it('autoscaling: samples from the sampler and the balancer go to observe; decide() changes the count, with an event', async () => {
    const t = setup(
      WEB.replace(
        'deploy: {replicas: 2}',
        'x-polis-autoscale: {min: 1, max: 5, target_cpu_percent: 50}\n    deploy: {replicas: 2}',
      ),
    );
    await t.controller.apply(t.project());
    await t.controller.tick();
    t.advance(2000);
    t.decide(4);
    await t.controller.tick();
    assert.equal(t.samples.at(-1)!.cpuPercent, 180);
    assert.equal(t.samples.at(-1)!.replicas, 2);
    const scaled = t.events.find((e) => e.action === 'autoscale')!;
    assert.deepEqual(
      { from: scaled.attributes['from'], to: scaled.attributes['to'], reason: scaled.attributes['reason'] },
      { from: '2', to: '4', reason: 'cpu 180% > target 50%' },
    );
    await t.controller.tick();
    assert.equal([...t.engine.made.values()].filter((c) => c.name.startsWith('demo_web')).length, 4);
  });

  it('a rolling update whose new replicas turn unhealthy rolls back (failure_action rollback)', async () => {
    const text = (v: string) => `services:
  app:
    image: busybox
    command: [echo, ${v}]
    healthcheck: {test: ["CMD", "true"], interval: 1s, retries: 1, timeout: 1s}
    deploy:
      replicas: 2
      update_config: {order: start-first, failure_action: rollback}
`;
    const t = setup(text('v1'));
    t.engine.health = 'healthy';
    await t.controller.apply(t.project(text('v1')));
    const v1 = t.names();
    t.engine.health = 'unhealthy';
    await t.controller.apply(t.project(text('v2')));
    assert.ok(t.events.some((e) => e.action === 'update-failed'));
    assert.ok(t.events.some((e) => e.action === 'rollback'));
    assert.deepEqual(t.names(), v1, 'the old replicas kept serving');
    assert.deepEqual(t.store.get('demo')!.project.services['app']!.command, ['echo', 'v1']);
  });

  it('failure_action pause keeps the service paused (ps says why); stop-first removes the old before the new', async () => {
    const text = (v: string, order: string, action: string) => `services:
  app:
    image: busybox
    command: [echo, ${v}]
    healthcheck: {test: ["CMD", "true"], interval: 1s, retries: 1, timeout: 1s}
    deploy:
      replicas: 2
      update_config: {order: ${order}, failure_action: ${action}, parallelism: 1}
`;
    const t = setup(text('v1', 'stop-first', 'pause'));
    t.engine.health = 'healthy';
    await t.controller.apply(t.project(text('v1', 'stop-first', 'pause')));
    t.engine.log.length = 0;
    await t.controller.apply(t.project(text('v2', 'stop-first', 'pause')));
    // stop-first, one at a time: remove 2 (highest first is not promised; one old), then create its successor.
    const first = t.engine.log.findIndex((l) => l.startsWith('remove '));
    const created = t.engine.log.findIndex((l) => l.startsWith('create '));
    assert.ok(first >= 0 && first < created, t.engine.log.join('\n'));
    assert.ok(t.events.some((e) => e.action === 'update-done'));

    t.engine.health = 'unhealthy';
    await t.controller.apply(t.project(text('v3', 'stop-first', 'pause')));
    assert.ok(t.events.some((e) => e.action === 'update-paused'));
    assert.ok(!t.events.some((e) => e.action === 'rollback'));
    const status = await t.controller.status('demo');
    assert.match(status[0]!.paused ?? '', /unhealthy/);
    // Paused: the service keeps serving, and refilling, with the configuration that last worked.
    t.engine.health = 'healthy';
    await t.controller.tick();
    assert.equal(t.names().length, 2);
    const commands = [...t.engine.made.values()].map((c) => (c.body['Cmd'] as string[]).join(' '));
    assert.deepEqual(commands, ['echo v2', 'echo v2']);
  });
});
