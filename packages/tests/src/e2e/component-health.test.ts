import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { HealthReport } from '@polis/sdk';
import { TestDaemon } from '../harness/daemon.js';
import { ok } from '../harness/expect.js';
import { runCommand } from '../harness/run.js';
import { processesMatching, waitFor } from '../harness/wait.js';

type Check = HealthReport['components'][number]['checks'][number];

function check(report: HealthReport, component: string, name: string): Check {
  const c = report.components.find((x) => x.name === component);
  const k = c?.checks.find((x) => x.name === name);
  assert.ok(k, `check ${component}/${name} in ${JSON.stringify(report)}`);
  return k;
}

const unhealthyChecks = (r: HealthReport): string[] =>
  r.components.flatMap((c) =>
    c.checks.filter((k) => k.status !== 'healthy').map((k) => `${c.name}/${k.name}: ${k.message}`),
  );

/** Component health (`GET /polis/v1/health`, `polis system health`) against real breakage. */
describe('component health', () => {
  let d: TestDaemon;
  const health = (): Promise<HealthReport> => d.client.health();

  before(async () => {
    d = await TestDaemon.start();
    await d.importBusybox();
    ok(await d.polis(['network', 'create', 'hnet']), 'network create');
    // A container on a user network: its DNS server is listening, and its conmon is supervised.
    ok(await d.polis(['run', '-d', '--name', 'hweb', '--network', 'hnet', 'busybox', 'sleep', '300']), 'run');
  });

  after(async () => {
    await d?.cleanup();
  });

  it('is healthy on a fresh daemon with a running container, in the API and the CLI', async (t) => {
    const t0 = Date.now();
    const report = await health();
    t.diagnostic(`health took ${Date.now() - t0} ms`);
    assert.deepEqual(unhealthyChecks(report), [], 'nothing unhealthy');
    assert.equal(report.status, 'healthy');
    for (const c of ['core', 'runtime', 'network', 'security', 'storage', 'monitor']) {
      assert.ok(
        report.components.some((x) => x.name === c && x.status === 'healthy'),
        `component ${c}`,
      );
    }
    assert.match(check(report, 'network', 'dns').message, /^[1-9]\d* DNS servers answering/);
    assert.match(check(report, 'runtime', 'supervisors').message, /^1 running containers supervised/);

    const table = await d.polis(['system', 'health']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^COMPONENT\s+CHECK\s+STATUS\s+MESSAGE/);
    assert.match(table.stdout, /\nnetwork\s+bridges\s+healthy\s+/);
    const json = await d.polis(['system', 'health', '--format', 'json']);
    assert.equal(json.code, 0, json.stderr);
    assert.equal((JSON.parse(json.stdout) as HealthReport).status, 'healthy');
  });

  it('names a deleted bridge as unhealthy, and is healthy again after the network is made anew', async (t) => {
    ok(await d.polis(['network', 'create', 'hbroken']), 'network create');
    const bridge = ok(await d.polis(['network', 'inspect', '-f', '{{.Id}}', 'hbroken'])).slice(0, 12);
    const name = `pl-${bridge}`;
    const del = await runCommand('ip', ['link', 'del', name]);
    assert.equal(del.code, 0, del.stderr);

    const report = await health();
    assert.equal(report.status, 'unhealthy');
    const bridges = check(report, 'network', 'bridges');
    assert.equal(bridges.status, 'unhealthy');
    assert.match(bridges.message, new RegExp(`hbroken \\(bridge ${name} missing\\)`));
    assert.match(bridges.remedy ?? '', /polis network rm hbroken/);
    const cli = await d.polis(['system', 'health']);
    assert.equal(cli.code, 1, 'the CLI exits 1 when unhealthy');
    assert.match(cli.stdout, new RegExp(`network\\s+bridges\\s+unhealthy\\s+.*${name}`));

    // The repair the report suggests.
    ok(await d.polis(['network', 'rm', 'hbroken']), 'network rm of a network whose bridge is gone');
    ok(await d.polis(['network', 'create', 'hbroken']), 'network create again');
    const again = await health();
    t.diagnostic(`after repair: ${JSON.stringify(unhealthyChecks(again))}`);
    assert.equal(check(again, 'network', 'bridges').status, 'healthy');
    assert.equal(again.status, 'healthy');
    ok(await d.polis(['network', 'rm', 'hbroken']));
  });

  it('a bridge deleted under running containers is back, with their veths, after polisd restarts', async (t) => {
    ok(await d.polis(['network', 'create', 'hrepair']), 'network create');
    ok(await d.polis(['run', '-d', '--name', 'hrep', '--network', 'hrepair', 'busybox', 'sleep', '300']));
    const name = `pl-${ok(await d.polis(['network', 'inspect', '-f', '{{.Id}}', 'hrepair'])).slice(0, 12)}`;
    const gateway = ok(
      await d.polis(['network', 'inspect', '-f', '{{(index .IPAM.Config 0).Gateway}}', 'hrepair']),
    );
    const ping = async (): Promise<number> =>
      (await d.polis(['exec', 'hrep', 'ping', '-c', '1', '-W', '2', gateway])).code;
    assert.equal(await ping(), 0, 'the gateway answers before');
    assert.equal((await runCommand('ip', ['link', 'del', name])).code, 0);
    const broken = await health();
    assert.match(
      check(broken, 'network', 'bridges').message,
      new RegExp(`hrepair \\(bridge ${name} missing\\)`),
    );
    assert.match(check(broken, 'network', 'bridges').remedy ?? '', /restart polisd/);
    assert.notEqual(await ping(), 0, 'the gateway is unreachable without its bridge');

    await d.stopProcess();
    await d.startProcess();
    const again = await health();
    t.diagnostic(`after restart: ${JSON.stringify(unhealthyChecks(again))}`);
    assert.equal(check(again, 'network', 'bridges').status, 'healthy');
    assert.equal(again.status, 'healthy');
    assert.equal(ok(await d.polis(['inspect', '-f', '{{.State.Status}}', 'hrep'])), 'running');
    const ports = JSON.parse(
      (await runCommand('ip', ['-j', 'link', 'show', 'master', name])).stdout || '[]',
    ) as unknown[];
    assert.equal(ports.length, 1, 'the container veth is back on the bridge');
    assert.equal(await ping(), 0, 'the gateway answers again');
    ok(await d.polis(['rm', '-f', 'hrep']));
    ok(await d.polis(['network', 'rm', 'hrepair']));
  });

  it('names a volume a running container uses that is not mounted, and is healthy after a restart', async (t) => {
    ok(
      await d.polis([
        'volume',
        'create',
        '-o',
        'type=tmpfs',
        '-o',
        'device=tmpfs',
        '-o',
        'o=size=1m',
        'hvol',
      ]),
    );
    ok(await d.polis(['run', '-d', '--name', 'hvoluser', '-v', 'hvol:/v', 'busybox', 'sleep', '300']));
    assert.equal(check(await health(), 'storage', 'volume-mounts').status, 'healthy');
    const data = ok(await d.polis(['volume', 'inspect', '-f', '{{.Mountpoint}}', 'hvol']));
    // Lazily: the container still holds it in its own mount namespace.
    assert.equal((await runCommand('umount', ['-l', data])).code, 0);
    const report = await health();
    const mounts = check(report, 'storage', 'volume-mounts');
    assert.equal(mounts.status, 'unhealthy');
    assert.match(mounts.message, /not mounted though a running container uses them: hvol$/);
    assert.equal(report.status, 'unhealthy');

    ok(await d.polis(['restart', '-t', '1', 'hvoluser']), 'restart');
    const again = await health();
    t.diagnostic(`after restart: ${JSON.stringify(unhealthyChecks(again))}`);
    assert.equal(check(again, 'storage', 'volume-mounts').status, 'healthy');
    ok(await d.polis(['rm', '-f', 'hvoluser']));
    ok(await d.polis(['volume', 'rm', 'hvol']));
  });

  it('names a container whose conmon was killed within seconds, and is healthy after rm -f', async (t) => {
    const id = ok(await d.polis(['run', '-d', '--name', 'hlost', 'busybox', 'sleep', '300']), 'run');
    const conmons = processesMatching('conmon', `-c ${id}`);
    assert.equal(conmons.length, 1, 'one conmon');
    const t0 = Date.now();
    process.kill(conmons[0] as number, 'SIGKILL');
    const report = await waitFor(
      'runtime to be unhealthy',
      async () => {
        const r = await health();
        return check(r, 'runtime', 'supervisors').status === 'unhealthy' ? r : undefined;
      },
      10_000,
      100,
    );
    t.diagnostic(`a killed conmon showed in the health report after ${Date.now() - t0} ms`);
    assert.equal(report.status, 'unhealthy');
    const supervisors = check(report, 'runtime', 'supervisors');
    assert.match(supervisors.message, /conmon\) lost: hlost/);
    assert.match(supervisors.remedy ?? '', /polis rm -f hlost|polis start or polis rm -f hlost/);

    ok(await d.polis(['rm', '-f', 'hlost']), 'rm -f');
    const again = await health();
    assert.equal(check(again, 'runtime', 'supervisors').status, 'healthy');
    assert.equal(again.status, 'healthy', JSON.stringify(unhealthyChecks(again)));
  });
});
