import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Event } from '@polis/sdk';
import { TestDaemon } from '../harness/daemon.js';
import { lines, ok } from '../harness/expect.js';
import { rawRequest } from '../harness/http.js';
import { runCommand } from '../harness/run.js';

interface Health {
  Status: string;
  FailingStreak: number;
  Log: { Start: string; End: string; ExitCode: number; Output: string }[];
}

async function health(d: TestDaemon, name: string): Promise<Health | null> {
  return JSON.parse(ok(await d.polis(['inspect', '-f', '{{json .State.Health}}', name]))) as Health | null;
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Docker's health checks run by polisd: State.Health, events, ps, filters, timeouts, restarts, compose. */
describe('health checks', () => {
  let d: TestDaemon;

  before(async () => {
    d = await TestDaemon.start();
    await d.importBusybox();
  });

  after(async () => {
    await d?.cleanup();
  });

  it('goes starting → healthy → unhealthy, with health_status events, ps and the health filter', async () => {
    const since = new Date();
    ok(
      await d.polis([
        'run',
        '-d',
        '--name',
        'flaky',
        '--health-cmd',
        'test -f /tmp/ok',
        '--health-interval',
        '1s',
        '--health-retries',
        '2',
        // Failures while starting within the start period do not count: it stays starting until the
        // test makes the check pass, however slow the machine.
        '--health-start-period',
        '5m',
        '--health-start-interval',
        '1s',
        'busybox',
        'sleep',
        '100',
      ]),
    );
    const first = await health(d, 'flaky');
    assert.equal(first?.Status, 'starting');
    // A failed probe while starting leaves it starting.
    await waitFor(
      'a failed probe',
      async () => ((await health(d, 'flaky'))?.Log.length ?? 0) > 0 || undefined,
    );
    assert.equal((await health(d, 'flaky'))?.Status, 'starting');
    assert.match(
      ok(await d.polis(['ps', '--filter', 'name=flaky', '--format', '{{.Status}}'])),
      /\(health: starting\)$/,
    );
    ok(await d.polis(['exec', 'flaky', 'touch', '/tmp/ok']));
    await waitFor('healthy', async () =>
      (await health(d, 'flaky'))?.Status === 'healthy' ? true : undefined,
    );
    assert.match(
      ok(await d.polis(['ps', '--filter', 'name=flaky', '--format', '{{.Status}}'])),
      /\(healthy\)$/,
    );
    assert.deepEqual(
      lines(ok(await d.polis(['ps', '--filter', 'health=healthy', '--format', '{{.Names}}']))),
      ['flaky'],
    );
    ok(await d.polis(['exec', 'flaky', 'rm', '/tmp/ok']));
    const bad = await waitFor('unhealthy', async () => {
      const h = await health(d, 'flaky');
      return h?.Status === 'unhealthy' ? h : undefined;
    });
    assert.ok(bad.FailingStreak >= 2);
    assert.ok(bad.Log.length <= 5 && bad.Log.length > 0);
    assert.equal(bad.Log.at(-1)?.ExitCode, 1);
    assert.deepEqual(
      lines(ok(await d.polis(['ps', '--filter', 'health=unhealthy', '--format', '{{.Names}}']))),
      ['flaky'],
    );
    assert.deepEqual(
      lines(ok(await d.polis(['ps', '--filter', 'health=none', '--format', '{{.Names}}']))),
      [],
    );
    const events: Event[] = [];
    for await (const e of d.client.events({ since, until: new Date(), filters: { container: ['flaky'] } }))
      events.push(e);
    const healthEvents = events.map((e) => e.Action).filter((a) => a.startsWith('health_status'));
    assert.deepEqual(healthEvents, ['health_status: healthy', 'health_status: unhealthy']);
    const bogus = await d.polis(['ps', '--filter', 'health=sick']);
    assert.notEqual(bogus.code, 0);
    ok(await d.polis(['rm', '-f', 'flaky']));
  });

  it('a check past its timeout is killed with everything it started and counts as a failure', async () => {
    ok(
      await d.polis([
        'run',
        '-d',
        '--name',
        'hang',
        '--health-cmd',
        'sh -c "sleep 300 & sleep 301"',
        '--health-interval',
        '1s',
        '--health-timeout',
        '1s',
        'busybox',
        'sleep',
        '100',
      ]),
    );
    const h = await waitFor('a timed-out probe', async () => {
      const v = await health(d, 'hang');
      return v && v.Log.length > 0 ? v : undefined;
    });
    assert.equal(h.Log[0]?.ExitCode, -1);
    assert.equal(h.Log[0]?.Output, 'Health check exceeded timeout (1s)');
    // Between probes, nothing of a killed check is left in the container.
    const top = await waitFor(
      'no sleep 300 left',
      async () => {
        const out = ok(await d.polis(['top', 'hang', '-o', 'pid,args']));
        return /sleep 30[01]/.test(out) ? undefined : out;
      },
      5000,
    );
    assert.match(top, /sleep 100/);
    ok(await d.polis(['rm', '-f', 'hang']));
  });

  it('--health-on-failure restart restarts an unhealthy container (podman’s option)', async () => {
    ok(
      await d.polis([
        'run',
        '-d',
        '--name',
        'phoenix',
        '--health-cmd',
        'false',
        '--health-interval',
        '1s',
        '--health-retries',
        '1',
        '--health-on-failure',
        'restart',
        'busybox',
        'sleep',
        '100',
      ]),
    );
    const started = ok(await d.polis(['inspect', '-f', '{{.State.StartedAt}}', 'phoenix']));
    await waitFor('a restart', async () => {
      const now = ok(await d.polis(['inspect', '-f', '{{.State.StartedAt}}', 'phoenix']));
      return now !== started ? true : undefined;
    });
    assert.equal(
      JSON.parse(ok(await d.polis(['inspect', '-f', '{{json .Config.Healthcheck.OnFailure}}', 'phoenix']))),
      'restart',
    );
    ok(await d.polis(['rm', '-f', 'phoenix']));
  });

  it("keeps at most 4 KiB of a probe's output (stdout and stderr together), as Docker does", async () => {
    ok(
      await d.polis([
        'run',
        '-d',
        '--name',
        'chatty',
        '--health-cmd',
        'echo to-stderr >&2; head -c 10000 /dev/zero | tr "\\0" x; exit 3',
        '--health-interval',
        '1s',
        'busybox',
        'sleep',
        '100',
      ]),
    );
    const h = await waitFor('a probe', async () => {
      const got = await health(d, 'chatty');
      return got && got.Log.length > 0 ? got : undefined;
    });
    const last = h.Log.at(-1)!;
    assert.equal(last.ExitCode, 3);
    assert.equal(last.Output.length, 4096);
    assert.match(last.Output, /^to-stderr\nx+$/);
    ok(await d.polis(['rm', '-f', 'chatty']));
  });

  it('bad health options are refused and create nothing', async () => {
    const conflict = await d.polis(['create', '--no-healthcheck', '--health-cmd', 'true', 'busybox']);
    assert.notEqual(conflict.code, 0);
    assert.match(conflict.stderr, /--no-healthcheck conflicts with --health-\* options/);
    const tooShort = await rawRequest(d.socket, 'POST', '/containers/create', {
      body: JSON.stringify({ Image: 'busybox', Healthcheck: { Test: ['CMD', 'true'], Interval: 1000 } }),
      headers: { 'Content-Type': 'application/json' },
    });
    assert.equal(tooShort.status, 400);
    assert.match(tooShort.text, /Interval in Healthcheck cannot be less than 1ms/);
    assert.deepEqual(lines(ok(await d.polis(['ps', '-aq']))), []);
  });

  it('the docker CLI passes the flags and shows the status; checks resume after a daemon restart', async () => {
    ok(
      await d.docker([
        'run',
        '-d',
        '--name',
        'dock',
        '--health-cmd',
        'echo alive',
        '--health-interval',
        '1s',
        'busybox',
        'sleep',
        '100',
      ]),
    );
    await waitFor('healthy', async () =>
      (await health(d, 'dock'))?.Status === 'healthy' ? true : undefined,
    );
    assert.match(
      ok(await d.docker(['ps', '--filter', 'name=dock', '--format', '{{.Status}}'])),
      /\(healthy\)$/,
    );
    const inspected = JSON.parse(
      ok(await d.docker(['inspect', '-f', '{{json .State.Health}}', 'dock'])),
    ) as Health;
    assert.equal(inspected.Log.at(-1)?.Output, 'alive\n');
    await d.stopProcess('SIGKILL');
    await d.startProcess();
    const before = (await health(d, 'dock'))!.Log.at(-1)!.Start;
    await waitFor('a probe after the restart', async () => {
      const h = await health(d, 'dock');
      return h && h.Log.at(-1)!.Start > before ? true : undefined;
    });
    ok(await d.polis(['rm', '-f', 'dock']));
  });

  it("docker-compose's service_healthy waits for the check to pass", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'polis-compose-health-'));
    const project = `h${process.pid}`;
    const compose = (args: string[]) =>
      runCommand('docker-compose', ['--no-ansi', '-f', join(dir, 'docker-compose.yml'), ...args], {
        env: d.env({ COMPOSE_PROJECT_NAME: project }),
        timeoutMs: 120_000,
      });
    writeFileSync(
      join(dir, 'docker-compose.yml'),
      `version: "3.8"
services:
  db:
    image: busybox
    command: sh -c 'sleep 3; touch /tmp/ready; exec sleep 100'
    healthcheck:
      test: ["CMD", "test", "-f", "/tmp/ready"]
      interval: 1s
      retries: 30
  app:
    image: busybox
    command: sh -c 'echo started'
    depends_on:
      db:
        condition: service_healthy
`,
    );
    try {
      const up = await compose(['up', '-d']);
      assert.equal(up.code, 0, up.stderr);
      const db = JSON.parse(ok(await d.polis(['inspect', `${project}_db_1`]))) as [
        { State: { Health: Health } },
      ];
      const healthyAt = db[0].State.Health.Log.find((l) => l.ExitCode === 0)?.End;
      assert.ok(healthyAt, 'db has passed its check');
      const appStarted = ok(await d.polis(['inspect', '-f', '{{.State.StartedAt}}', `${project}_app_1`]));
      assert.ok(
        Date.parse(appStarted) >= Date.parse(healthyAt),
        `app started ${appStarted}, db healthy ${healthyAt}`,
      );
    } finally {
      await compose(['down', '-v', '-t', '1']);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
