import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestDaemon } from '../harness/daemon.js';
import { lines, ok } from '../harness/expect.js';
import type { CommandResult } from '../harness/run.js';
import { waitFor } from '../harness/wait.js';

/**
 * Every replica burns a CPU while /ctl/burn exists (a volume shared by the replicas, so the test switches
 * the load of all of them, new ones too, with one file) and sleeps otherwise.
 */
const STACK = `services:
  burner:
    image: busybox
    command: sh -c 'while :; do if [ -f /ctl/burn ]; then :; else sleep 0.2; fi; done'
    init: true
    volumes: [ctl:/ctl]
    x-polis-autoscale:
      min: 1
      max: 3
      target_cpu_percent: 50
      scale_up_cooldown: 5s
      scale_down_cooldown: 5s
      scale_down_stabilization: 10s
volumes:
  ctl: {}
`;

describe('autoscaling a stack by CPU (x-polis-autoscale)', () => {
  let d: TestDaemon;
  let dir: string;
  const project = `as${process.pid}`;

  const polisCompose = (verb: string, args: string[] = []): Promise<CommandResult> =>
    d.polis(['compose', verb, '-f', join(dir, 'compose.yml'), '-p', project, ...args], {
      timeoutMs: 180_000,
    });
  const running = async (): Promise<string[]> =>
    (
      (await d.client.containers.list({
        filters: { label: [`com.docker.compose.project=${project}`] },
      })) as Array<{ Names: string[] }>
    ).map((c) => c.Names[0]!.replace(/^\//, ''));
  const autoscaleEvents = async (since: number): Promise<Array<Record<string, string>>> =>
    lines(
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
          'event=autoscale',
          '--format',
          '{{json .Actor.Attributes}}',
        ]),
        'polis events',
      ),
    ).map((l) => JSON.parse(l) as Record<string, string>);

  before(async () => {
    // The controller samples every second instead of every 10 s (polisd inherits the environment).
    process.env.POLIS_AUTOSCALE_INTERVAL_MS = '1000';
    d = await TestDaemon.start();
    delete process.env.POLIS_AUTOSCALE_INTERVAL_MS;
    await d.importBusybox();
    dir = mkdtempSync(join(tmpdir(), 'polis-stacks-as-'));
    writeFileSync(join(dir, 'compose.yml'), STACK);
  });

  after(async () => {
    if (d && dir) await polisCompose('down', ['-v']).catch(() => undefined);
    await d?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a CPU-burning load grows the service from 1 toward max; it shrinks back once the load ends', async (t) => {
    const since = Math.floor(Date.now() / 1000) - 1;
    ok(await polisCompose('up', ['-d']), 'polis compose up -d');
    assert.equal((await running()).length, 1);

    const first = (await running())[0]!;
    ok(await d.polis(['exec', first, 'touch', '/ctl/burn']), 'start the load');
    const started = Date.now();
    const grown = await waitFor(
      'the service grown past one replica',
      async () => {
        const n = (await running()).length;
        return n > 1 ? n : undefined;
      },
      180_000,
      500,
    );
    // Let it reach what the load asks for (max 3), without asserting how far two cores allow.
    let peak = grown;
    const until = Date.now() + 30_000;
    while (Date.now() < until && peak < 3) {
      peak = Math.max(peak, (await running()).length);
      await new Promise((r) => setTimeout(r, 500));
    }
    t.diagnostic(`grew to ${peak} replicas; first growth after ${Date.now() - started} ms of load`);
    const up = await autoscaleEvents(since);
    assert.ok(up.length >= 1);
    assert.equal(up[0]!['from'], '1');
    assert.equal(up[0]!['metric'], 'cpu');
    assert.match(up[0]!['reason'] ?? '', /cpu .*% > target 50%/);
    assert.ok(Number(up[0]!['to']) <= 3);

    ok(await d.polis(['exec', first, 'rm', '-f', '/ctl/burn']), 'end the load');
    const ended = Date.now();
    await waitFor(
      'the service back at one replica',
      async () => (await running()).length === 1,
      240_000,
      500,
    );
    t.diagnostic(`back at one replica ${Date.now() - ended} ms after the load ended`);

    // Bounded: a few steps up and a few down, no flapping (at most two changes per replica of range).
    const all = await autoscaleEvents(since);
    t.diagnostic(`autoscale events: ${all.map((e) => `${e['from']}→${e['to']}`).join(', ')}`);
    assert.ok(all.length <= 6, JSON.stringify(all));
    assert.equal(all[all.length - 1]!['to'], '1');
    // Calm now: no further decision while the service idles.
    const calm = Math.floor(Date.now() / 1000);
    await new Promise((r) => setTimeout(r, 15_000));
    assert.deepEqual(await autoscaleEvents(calm), []);
    assert.equal((await running()).length, 1);
  });

  it('polis service autoscale changes the policy in place: a new min applies at once, nothing is recreated', async () => {
    const [only] = await running();
    const id = ok(await d.polis(['inspect', '-f', '{{.Id}}', only!]));
    ok(
      await d.polis([
        'service',
        'autoscale',
        `${project}/burner`,
        '--min',
        '2',
        '--max',
        '3',
        '--cpu-percent',
        '50',
      ]),
      'polis service autoscale',
    );
    await waitFor('two replicas', async () => (await running()).length === 2, 60_000, 250);
    assert.equal(ok(await d.polis(['inspect', '-f', '{{.Id}}', only!])), id);
    const stored = JSON.parse(ok(await polisCompose('ps', ['--format', 'json']))) as Array<{
      desired: number;
    }>;
    assert.equal(stored[0]!.desired, 2);
    // Bad input: the loader's parser answers (400), an unknown stack or service is 404.
    const bad = await d.polis([
      'service',
      'autoscale',
      `${project}/burner`,
      '--max',
      '0',
      '--cpu-percent',
      '50',
    ]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /x-polis-autoscale\.max/);
    const missing = await d.polis([
      'service',
      'autoscale',
      'nosuch/burner',
      '--max',
      '2',
      '--cpu-percent',
      '5',
    ]);
    assert.match(missing.stderr, /no such stack: nosuch/);
    // --off removes it: the count stays, and no autoscale decision follows.
    ok(await d.polis(['service', 'autoscale', `${project}/burner`, '--off']), '--off');
    assert.equal((await running()).length, 2);
  });
});
