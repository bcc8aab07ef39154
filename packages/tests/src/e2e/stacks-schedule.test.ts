import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { TestDaemon } from '../harness/daemon.js';
import { lines, ok } from '../harness/expect.js';
import type { CommandResult } from '../harness/run.js';
import { waitFor } from '../harness/wait.js';

/** One replica reserving `memory` (it uses next to nothing: admission counts reservations, not use). */
const RESERVING = (memory: string): string => `services:
  app:
    image: busybox
    command: sleep 3600
    init: true
    deploy:
      resources:
        reservations:
          memory: ${memory}
`;

/** The test stack, for `compose convert`: a job, a web service with a healthcheck, a volume. */
const CONVERTED = `services:
  seed:
    image: busybox
    command: sh -c 'echo hello > /data/index.html'
    volumes: [pages:/data]
  web:
    image: busybox
    command: httpd -f -p 80 -h /data
    ports: ["8080:80"]
    volumes: [pages:/data]
    healthcheck:
      test: ["CMD", "wget", "-qO-", "http://127.0.0.1/"]
      interval: 5s
    deploy:
      replicas: 2
      resources:
        limits: {cpus: "0.5", memory: 64M}
        reservations: {memory: 32M}
    depends_on:
      seed: {condition: service_completed_successfully}
volumes:
  pages: {}
`;

const DNS1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

describe('stacks: admission by memory reservations, and compose convert --to kubernetes', () => {
  let d: TestDaemon;
  let dir: string;

  const polisCompose = (
    project: string,
    verb: string,
    file: string,
    args: string[] = [],
  ): Promise<CommandResult> =>
    d.polis(['compose', verb, '-f', join(dir, file), '-p', project, ...args], { timeoutMs: 180_000 });
  const runningOf = async (project: string): Promise<number> =>
    (await d.client.containers.list({ filters: { label: [`com.docker.compose.project=${project}`] } }))
      .length;

  before(async () => {
    d = await TestDaemon.start();
    await d.importBusybox();
    dir = mkdtempSync(join(tmpdir(), 'polis-stacks-sched-'));
  });

  after(async () => {
    for (const [p, f] of [
      [`sa${process.pid}`, 'a.yml'],
      [`sb${process.pid}`, 'b.yml'],
    ] as const)
      await polisCompose(p, 'down', f).catch(() => undefined);
    await d?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a replica whose reservation does not fit stays pending with the reason; it starts once room appears', async (t) => {
    const memTotalKb = Number(/^MemTotal:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'))![1]);
    const sixtyPercent = `${Math.floor((memTotalKb * 0.6) / 1024)}M`;
    t.diagnostic(`MemTotal ${memTotalKb} kB; each stack reserves ${sixtyPercent}`);
    writeFileSync(join(dir, 'a.yml'), RESERVING(sixtyPercent));
    writeFileSync(join(dir, 'b.yml'), RESERVING(sixtyPercent));
    const a = `sa${process.pid}`;
    const b = `sb${process.pid}`;
    const since = Math.floor(Date.now() / 1000) - 1;

    ok(await polisCompose(a, 'up', 'a.yml', ['-d']), 'up A');
    assert.equal(await runningOf(a), 1);
    ok(await polisCompose(b, 'up', 'b.yml', ['-d']), 'up B');
    assert.equal(await runningOf(b), 0);
    const ps = ok(await polisCompose(b, 'ps', 'b.yml'), 'compose ps B');
    assert.match(ps, /pending: 0\/1 hosts available: insufficient memory/, ps);
    const pending = lines(
      ok(
        await d.polis([
          'events',
          '--since',
          String(since),
          '--until',
          String(Math.ceil(Date.now() / 1000) + 1),
          '--filter',
          'type=stack',
          '--filter',
          'event=pending',
          '--format',
          '{{json .Actor.Attributes}}',
        ]),
      ),
    ).map((l) => JSON.parse(l) as Record<string, string>);
    assert.ok(
      pending.some((e) => e['name'] === b && /insufficient memory/.test(e['reason'] ?? '')),
      JSON.stringify(pending),
    );
    // Still pending a while later: the controller retries but the host has no room.
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(await runningOf(b), 0);

    ok(await polisCompose(a, 'down', 'a.yml'), 'down A');
    await waitFor('B running once A is gone', async () => (await runningOf(b)) === 1, 60_000, 250);
    const after = ok(await polisCompose(b, 'ps', 'b.yml'), 'compose ps B');
    assert.doesNotMatch(after, /pending/, after);
    ok(await polisCompose(b, 'down', 'b.yml'), 'down B');
  });

  it('compose convert --to kubernetes: Deployment, Service, PersistentVolumeClaim (and a Job) as valid manifests', async () => {
    writeFileSync(join(dir, 'convert.yml'), CONVERTED);
    const out = ok(
      await polisCompose('kc', 'convert', 'convert.yml', ['--to', 'kubernetes']),
      'compose convert',
    );
    const parsed = parseAllDocuments(out);
    for (const doc of parsed) assert.deepEqual(doc.errors, []);
    type Manifest = {
      apiVersion: string;
      kind: string;
      metadata: { name: string; labels?: Record<string, string> };
      spec: Record<string, never>;
    };
    const docs = parsed.map((doc) => doc.toJS() as Manifest);
    const kinds = docs.map((m) => `${m.apiVersion}/${m.kind}/${m.metadata.name}`).sort();
    assert.deepEqual(kinds, [
      'apps/v1/Deployment/web',
      'batch/v1/Job/seed',
      'v1/PersistentVolumeClaim/pages',
      'v1/Service/web',
    ]);
    for (const m of docs) assert.match(m.metadata.name, DNS1123);
    const deployment = docs.find((m) => m.kind === 'Deployment')! as unknown as {
      spec: {
        replicas: number;
        template: {
          spec: {
            containers: Array<{
              image: string;
              readinessProbe?: unknown;
              resources?: { limits?: Record<string, string>; requests?: Record<string, string> };
              volumeMounts?: Array<{ mountPath: string }>;
            }>;
          };
        };
      };
    };
    assert.equal(deployment.spec.replicas, 2);
    const container = deployment.spec.template.spec.containers[0]!;
    assert.equal(container.image, 'busybox');
    assert.ok(container.readinessProbe, 'the healthcheck became a probe');
    assert.equal(container.resources?.limits?.['cpu'], '500m');
    assert.ok(container.resources?.requests?.['memory']);
    assert.equal(container.volumeMounts?.[0]?.mountPath, '/data');
    const service = docs.find((m) => m.kind === 'Service')! as unknown as {
      spec: { ports: Array<{ port: number; targetPort: number | string }> };
    };
    for (const p of service.spec.ports) assert.ok(Number.isInteger(p.port), JSON.stringify(p));
    const pvc = docs.find((m) => m.kind === 'PersistentVolumeClaim')! as unknown as {
      spec: { accessModes: string[]; resources: { requests: { storage: string } } };
    };
    assert.deepEqual(pvc.spec.accessModes, ['ReadWriteOnce']);
    assert.ok(pvc.spec.resources.requests.storage);

    // A broken file gets the loader's error (file and line), not manifests; an unknown target is refused.
    writeFileSync(join(dir, 'broken.yml'), 'services:\n  web:\n    image: busybox\n    replicas: 2\n');
    const broken = await polisCompose('kc', 'convert', 'broken.yml', ['--to', 'kubernetes']);
    assert.notEqual(broken.code, 0);
    assert.match(broken.stderr, /broken\.yml:3/);
    const other = await polisCompose('kc', 'convert', 'convert.yml', ['--to', 'nomad']);
    assert.notEqual(other.code, 0);
    assert.match(other.stderr, /only "kubernetes"/);
  });
});
