import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import type { ContainerStats } from '@polis/sdk';
import { TestDaemon } from '../harness/daemon.js';
import { lines, ok } from '../harness/expect.js';
import { rawRequest } from '../harness/http.js';

const MiB = 1024 * 1024;

/** `docker stats`'s MEM USAGE / LIMIT cell ("50.2MiB / 256MiB") in bytes. */
function parseBinary(text: string): number {
  const m = /^([\d.]+)(B|KiB|MiB|GiB)$/.exec(text.trim());
  assert.ok(m, `not a size: ${text}`);
  const unit = { B: 1, KiB: 1024, MiB: MiB, GiB: 1024 * MiB }[m[2] as 'B' | 'KiB' | 'MiB' | 'GiB'];
  return Number(m[1]) * unit;
}

/** Container stats from cgroup files, through Polis's API, the docker CLI, the polis CLI and dockerode. */
describe('container stats', () => {
  let d: TestDaemon;
  let hog: string;
  let busy: string;

  before(async () => {
    d = await TestDaemon.start();
    await d.importBusybox();
    // 50 MB written to /dev/shm is charged to the container's memory cgroup and stays there.
    hog = ok(
      await d.polis([
        'run',
        '-d',
        '--name',
        'hog',
        '-m',
        '256m',
        '--shm-size',
        '64m',
        'busybox',
        'sh',
        '-c',
        'dd if=/dev/zero of=/dev/shm/fill bs=1M count=50 && touch /tmp/filled && exec sleep 1000',
      ]),
    );
    busy = ok(await d.polis(['run', '-d', '--name', 'busy', 'busybox', 'sh', '-c', 'while :; do :; done']));
    for (let i = 0; i < 100; i++) {
      if ((await d.polis(['exec', 'hog', 'test', '-e', '/tmp/filled'])).code === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  after(async () => {
    await d?.cleanup();
  });

  it('docker stats --no-stream shows the memory a container uses and its limit', async () => {
    const out = lines(
      ok(await d.docker(['stats', '--no-stream', '--format', '{{.Name}}|{{.MemUsage}}|{{.PIDs}}'])),
    );
    const row = out.find((l) => l.startsWith('hog|'));
    assert.ok(row, out.join('\n'));
    const [, mem, pids] = row.split('|') as [string, string, string];
    const [used, limit] = mem.split(' / ') as [string, string];
    assert.equal(parseBinary(limit), 256 * MiB);
    const usage = parseBinary(used);
    assert.ok(usage >= 48 * MiB && usage <= 90 * MiB, `usage ${used} is not about 50 MB`);
    assert.equal(pids, '1');
    const table = lines(ok(await d.docker(['stats', '--no-stream'])));
    assert.match(
      table[0]!,
      /^CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O\s+PIDS$/,
    );
    assert.equal(table.length, 3, table.join('\n'));
  });

  it('the stream sends a reading every second, with CPU counters that grow', async () => {
    const ac = new AbortController();
    const got: ContainerStats[] = [];
    for await (const s of d.client.containers.statsStream('busy', { signal: ac.signal })) {
      got.push(s);
      if (got.length === 3) ac.abort();
    }
    assert.equal(got.length, 3);
    const [a, b, c] = got as [ContainerStats, ContainerStats, ContainerStats];
    assert.equal(c.id, busy);
    assert.equal(c.name, '/busy');
    assert.ok(b.cpu_stats.cpu_usage.total_usage > a.cpu_stats.cpu_usage.total_usage);
    assert.ok(c.cpu_stats.cpu_usage.total_usage > b.cpu_stats.cpu_usage.total_usage);
    // Each reading carries the one before it, so that rates can be computed.
    assert.equal(c.precpu_stats.cpu_usage.total_usage, b.cpu_stats.cpu_usage.total_usage);
    assert.ok((c.cpu_stats.system_cpu_usage ?? 0) > (c.precpu_stats.system_cpu_usage ?? 0));
    assert.ok((c.cpu_stats.online_cpus ?? 0) >= 1);
    assert.ok(Date.parse(c.read) > Date.parse(c.preread));
  });

  it('stream=false waits for two readings; one-shot answers with the first', async () => {
    const two = await d.client.containers.stats('busy');
    assert.ok(two.precpu_stats.cpu_usage.total_usage > 0, 'precpu_stats is filled');
    const one = await d.client.containers.stats('busy', { oneShot: true });
    assert.equal(one.precpu_stats.cpu_usage.total_usage, 0);
    assert.equal(one.preread, '0001-01-01T00:00:00Z');
    assert.ok(one.cpu_stats.cpu_usage.total_usage > 0);
  });

  it('the polis CLI prints docker’s table, -a includes stopped containers with zeros', async () => {
    ok(await d.polis(['create', '--name', 'idle', 'busybox', 'true']));
    const running = lines(ok(await d.polis(['stats', '--no-stream'])));
    assert.ok(!running.some((l) => /\sidle\s/.test(l)), running.join('\n'));
    const all = lines(
      ok(await d.polis(['stats', '--no-stream', '-a', '--format', '{{.Name}} {{.CPUPerc}} {{.MemUsage}}'])),
    );
    assert.ok(all.includes('idle 0.00% 0B / 0B'), all.join('\n'));
    const busyRow = all.find((l) => l.startsWith('busy '));
    assert.ok(busyRow && Number(busyRow.split(' ')[1]!.replace('%', '')) > 0, busyRow);
    ok(await d.polis(['rm', 'idle']));
  });

  it('refuses an unknown container (404) and stream with one-shot (400)', async () => {
    const missing = await d.polis(['stats', '--no-stream', 'nope']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /No such container: nope/);
    await assert.rejects(
      d.client.containers.statsStream('nope').next(),
      (err: { code?: string }) => err.code === 'container.not_found',
    );
    const res = await rawRequest(d.socket, 'GET', '/containers/busy/stats?stream=true&one-shot=true');
    assert.equal(res.status, 400);
  });

  it('dockerode parses both the single answer and the stream', async () => {
    const docker = new Docker({ socketPath: d.socket });
    const single = (await docker.getContainer(hog).stats({ stream: false })) as unknown as ContainerStats;
    assert.ok((single.memory_stats.usage ?? 0) >= 48 * MiB);
    assert.equal(single.memory_stats.limit, 256 * MiB);
    const stream = (await docker.getContainer(hog).stats({ stream: true })) as NodeJS.ReadableStream;
    const first = await new Promise<ContainerStats>((resolve, reject) => {
      let text = '';
      stream.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        const nl = text.indexOf('\n');
        if (nl >= 0) resolve(JSON.parse(text.slice(0, nl)) as ContainerStats);
      });
      stream.on('error', reject);
    });
    (stream as unknown as { destroy(): void }).destroy();
    assert.equal(first.id, hog);
    assert.equal(first.pids_stats.current, 1);
  });
});
