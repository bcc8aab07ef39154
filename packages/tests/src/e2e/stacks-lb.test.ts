import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { balancerTable, serviceChain } from '@polis/network';
import { TestDaemon } from '../harness/daemon.js';
import { ok } from '../harness/expect.js';
import { freePort, httpGet } from '../harness/network.js';
import { runCommand, type CommandResult } from '../harness/run.js';
import { waitFor } from '../harness/wait.js';

/**
 * Three busybox httpd replicas answering their hostname behind one published port, with a healthcheck so
 * the balancer sends traffic only to replicas that answer; VERSION changes the configuration (a rolling
 * update, start-first).
 */
const WEB = (port: number, version: string): string => `services:
  web:
    image: busybox
    command: sh -c 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www'
    init: true
    environment:
      VERSION: ${version}
    ports: ["127.0.0.1:${port}:80"]
    healthcheck:
      test: ["CMD-SHELL", "timeout 1 wget -qO- http://127.0.0.1/ >/dev/null"]
      interval: 500ms
      timeout: 2s
      retries: 2
    deploy:
      replicas: 3
      update_config:
        parallelism: 1
        order: start-first
        monitor: 1s
`;

describe('a stack behind its published port: balancing, replacement, rolling update, down', () => {
  let d: TestDaemon;
  let dir: string;
  let port: number;
  const project = `lb${process.pid}`;

  const polisCompose = (verb: string, args: string[] = []): Promise<CommandResult> =>
    d.polis(['compose', verb, '-f', join(dir, 'compose.yml'), '-p', project, ...args], {
      timeoutMs: 180_000,
    });
  const replicas = async (): Promise<Array<{ Id: string; Names: string[]; State: string; Status: string }>> =>
    (await d.client.containers.list({
      all: true,
      filters: { label: [`com.docker.compose.project=${project}`] },
    })) as never;
  const healthyHostnames = async (): Promise<string[]> =>
    (await replicas())
      .filter((c) => c.State === 'running' && /\(healthy\)/.test(c.Status))
      .map((c) => c.Id.slice(0, 12))
      .sort();
  /** `n` requests one after another: who answered how often, and how many failed. */
  const sendMany = async (n: number): Promise<{ seen: Map<string, number>; failed: number }> => {
    const seen = new Map<string, number>();
    let failed = 0;
    for (let i = 0; i < n; i++) {
      try {
        const body = (await httpGet('127.0.0.1', port, '/', 2000)).trim();
        seen.set(body, (seen.get(body) ?? 0) + 1);
      } catch {
        failed++;
      }
    }
    return { seen, failed };
  };

  before(async () => {
    d = await TestDaemon.start();
    await d.importBusybox();
    dir = mkdtempSync(join(tmpdir(), 'polis-stacks-lb-'));
    port = await freePort();
    writeFileSync(join(dir, 'compose.yml'), WEB(port, 'v1'));
  });

  after(async () => {
    if (d && dir) await polisCompose('down').catch(() => undefined);
    await d?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('300 requests to the published port reach all three replicas', async (t) => {
    ok(await polisCompose('up', ['-d']), 'polis compose up -d');
    const three = await waitFor(
      'three healthy replicas',
      async () => ((await healthyHostnames()).length === 3 ? healthyHostnames() : undefined),
      60_000,
      250,
    );
    // The balancer follows the controller's pass after health turned: give it that pass.
    await waitFor('every replica answering', async () => (await sendMany(12)).seen.size === 3, 30_000, 250);
    const { seen, failed } = await sendMany(300);
    t.diagnostic(`answers per replica: ${JSON.stringify([...seen])}`);
    assert.equal(failed, 0);
    assert.deepEqual([...seen.keys()].sort(), three);
    for (const count of seen.values()) assert.ok(count >= 50, JSON.stringify([...seen]));
  });

  it('kill one replica: requests keep succeeding and the controller replaces it in the balancer', async (t) => {
    const before = await healthyHostnames();
    const victim = before[1]!;
    ok(await d.polis(['kill', victim]), 'polis kill');
    let failedMeanwhile = 0;
    let sentMeanwhile = 0;
    const now = await waitFor(
      'three healthy replicas again, without the killed one',
      async () => {
        const r = await sendMany(10);
        failedMeanwhile += r.failed;
        sentMeanwhile += 10;
        const names = await healthyHostnames();
        return names.length === 3 && !names.includes(victim) ? names : undefined;
      },
      60_000,
      100,
    );
    t.diagnostic(`while the replica was replaced: ${failedMeanwhile} of ${sentMeanwhile} requests failed`);
    // Only the connections the kernel sent to the dead replica before the controller's pass fail.
    assert.ok(failedMeanwhile < sentMeanwhile / 2, `${failedMeanwhile} of ${sentMeanwhile} failed`);
    await waitFor('the new replica answering', async () => (await sendMany(12)).seen.size === 3, 30_000, 250);
    const { seen, failed } = await sendMany(150);
    assert.equal(failed, 0);
    assert.deepEqual([...seen.keys()].sort(), now);
    assert.ok(!seen.has(victim));
  });

  it('rolling update, start-first, under a steady request loop: no request fails', async (t) => {
    const old = await healthyHostnames();
    let stop = false;
    let sent = 0;
    const failures: string[] = [];
    const loop = (async () => {
      while (!stop) {
        sent++;
        try {
          await httpGet('127.0.0.1', port, '/', 5000);
        } catch (e) {
          failures.push((e as Error).message);
        }
      }
    })();
    try {
      writeFileSync(join(dir, 'compose.yml'), WEB(port, 'v2'));
      ok(await polisCompose('up', ['-d']), 'polis compose up -d (v2)');
      await waitFor(
        'three new healthy replicas',
        async () => {
          const names = await healthyHostnames();
          return names.length === 3 && names.every((n) => !old.includes(n)) ? names : undefined;
        },
        120_000,
        250,
      );
    } finally {
      stop = true;
      await loop;
    }
    t.diagnostic(`${sent} requests during the update, ${failures.length} failed`);
    assert.ok(sent > 20, `only ${sent} requests were sent`);
    assert.deepEqual(failures, []);
  });

  it('compose down removes the entry point: the port is closed and the balancer has no chain for it', async () => {
    ok(await polisCompose('down'), 'polis compose down');
    await assert.rejects(httpGet('127.0.0.1', port, '/', 2000));
    const table = await runCommand('nft', ['list', 'table', 'ip', balancerTable(d.execRoot)]);
    assert.ok(!table.stdout.includes(serviceChain(`${project}/web/80`)), table.stdout);
    assert.deepEqual(await replicas(), []);
  });
});
