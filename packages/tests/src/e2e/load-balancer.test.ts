import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  createServiceBalancer,
  serviceChain,
  type BalancerBackend,
  type BalancerFrontend,
} from '@polis/network';
import { TestDaemon } from '../harness/daemon.js';
import { ok } from '../harness/expect.js';
import { freePort, httpGet } from '../harness/network.js';
import { runCommand } from '../harness/run.js';
import { waitFor } from '../harness/wait.js';

/** busybox httpd answering its hostname at / on port 80. */
const httpd = ['sh', '-c', 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www'];

const SUBNET = '10.213.7.0/24';
/** Outside the network's --ip-range, so no container is given it: the VIP of the test. */
const VIP = '10.213.7.200';
/** Outside it too, and never on the bridge: a backend that is gone. */
const GONE = '10.213.7.201';

/** A raw HTTP/1.0 request left open: the headers are finished only by `finish`. */
async function openRequest(port: number): Promise<{ finish: () => Promise<string> }> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.write('GET / HTTP/1.0\r\n');
  let body = '';
  socket.on('data', (b: Buffer) => (body += b.toString()));
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  return {
    finish: async () => {
      socket.write('\r\n');
      await closed;
      return body.split('\r\n\r\n')[1]?.trim() ?? '';
    },
  };
}

/** One HTTP/1.0 request from a chosen client port: the body, or the error's code (ECONNREFUSED, …). */
function requestFrom(port: number, localPort: number, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.1', localPort });
    let text = '';
    socket.setTimeout(timeoutMs, () =>
      socket.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })),
    );
    socket.on('connect', () => socket.write('GET / HTTP/1.0\r\n\r\n'));
    socket.on('data', (b: Buffer) => (text += b.toString()));
    socket.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    socket.on('close', (hadError) => {
      if (!hadError) resolve(text.split('\r\n\r\n')[1]?.trim() ?? '');
    });
  });
}

describe('service load balancing (kernel path, real containers)', () => {
  let d: TestDaemon;
  let stateDir: string;
  const table = `lbtest_${process.pid}`;
  let lb: ReturnType<typeof createServiceBalancer>;
  const replicas: (BalancerBackend & { name: string })[] = [];
  let frontend: BalancerFrontend;
  let bridge = '';
  const key = 'e2e/web/80';
  const lbChain = serviceChain(key);

  const sendMany = async (n: number, port = frontend.hostPort): Promise<Map<string, number>> => {
    const seen = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const body = (await httpGet('127.0.0.1', port)).trim();
      seen.set(body, (seen.get(body) ?? 0) + 1);
    }
    return seen;
  };
  /** Which backend the kernel gave the last connection: the one whose counter moved. */
  const counted = async (k: string): Promise<Map<string, number>> =>
    new Map((await lb.counters(k)).map((c) => [c.containerId, c.connections]));

  before(async () => {
    d = await TestDaemon.start();
    await d.importBusybox();
    ok(await d.polis(['network', 'create', '--subnet', SUBNET, '--ip-range', '10.213.7.0/25', 'lbnet']));
    bridge = `pl-${ok(await d.polis(['network', 'inspect', '-f', '{{.Id}}', 'lbnet'])).slice(0, 12)}`;
    for (const name of ['replica-1', 'replica-2', 'replica-3']) {
      ok(
        await d.polis([
          'run',
          '-d',
          '--name',
          name,
          '--hostname',
          name,
          '--network',
          'lbnet',
          '--network-alias',
          'web',
          'busybox',
          ...httpd,
        ]),
      );
      const ip = ok(await d.polis(['inspect', '-f', '{{.NetworkSettings.Networks.lbnet.IPAddress}}', name]));
      const containerId = ok(await d.polis(['inspect', '-f', '{{.Id}}', name]));
      replicas.push({ name, containerId, ip, port: 80 });
    }
    stateDir = await mkdtemp(join(tmpdir(), 'polis-lb-'));
    lb = createServiceBalancer({ execRoot: stateDir, table, drainPollMs: 50 });
    frontend = { hostIp: '127.0.0.1', hostPort: await freePort(), protocol: 'tcp' };
  });

  after(async () => {
    await lb?.destroy().catch(() => undefined);
    await lb?.close();
    await d?.cleanup();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  it('300 requests to one frontend reach all three replicas, and the counters count each', async (t) => {
    await lb.setBackends(key, frontend, replicas);
    assert.equal(lb.modeOf(key), 'kernel');
    assert.deepEqual(lb.list(), [key]);
    await waitFor(
      'the frontend',
      () => httpGet('127.0.0.1', frontend.hostPort).catch(() => undefined),
      15_000,
    );
    const before = await counted(key);
    const t0 = performance.now();
    const seen = await sendMany(300);
    const ms = performance.now() - t0;
    assert.deepEqual([...seen.keys()].sort(), ['replica-1', 'replica-2', 'replica-3']);
    const now = await counted(key);
    for (const r of replicas) {
      assert.equal(
        now.get(r.containerId)! - before.get(r.containerId)!,
        seen.get(r.name),
        `${r.name}'s counter`,
      );
    }
    // The port is held: another entry point (or program) on it is refused, and nothing was made for it.
    await assert.rejects(
      lb.setBackends('e2e/other/80', frontend, replicas),
      (e: { code?: string }) => e.code === 'network.port_in_use',
    );
    assert.deepEqual(lb.list(), [key]);
    const rules = ok(await runCommand('nft', ['list', 'table', 'ip', table]));
    assert.match(rules, /numgen inc mod 3 vmap/);
    t.diagnostic(`300 requests in ${ms.toFixed(0)} ms: ${JSON.stringify(Object.fromEntries(seen))}`);
  });

  it('a set changed in place: the removed replica gets no new request, its open connection is kept', async () => {
    const c0 = await counted(key);
    const open = await openRequest(frontend.hostPort);
    const c1 = await counted(key);
    const target = replicas.find((r) => c1.get(r.containerId) !== c0.get(r.containerId))!;
    assert.ok(target, 'one counter moved');
    await lb.setBackends(
      key,
      frontend,
      replicas.filter((r) => r !== target),
    );
    const seen = await sendMany(60);
    assert.equal(seen.get(target.name), undefined, `${target.name} got requests after it left`);
    assert.equal(seen.size, 2);
    assert.equal(await open.finish(), target.name, 'the connection opened before the change still works');
    await lb.setBackends(key, frontend, replicas);
    const back = await sendMany(30);
    assert.equal(back.size, 3, 'the replica is back in the rotation');
  });

  it('drain waits for an open connection to end, then resolves', async (t) => {
    const c0 = await counted(key);
    const open = await openRequest(frontend.hostPort);
    const c1 = await counted(key);
    const target = replicas.find((r) => c1.get(r.containerId) !== c0.get(r.containerId))!;
    const active = (await lb.counters(key)).find((c) => c.containerId === target.containerId)?.active;
    assert.equal(active, 1, 'conntrack shows the open connection');
    let resolved = false;
    const t0 = performance.now();
    const drained = lb.drain(key, target.containerId, 30_000).then(() => (resolved = true));
    await waitFor('the replica out of the rotation', async () =>
      /numgen inc mod 2 /.test(ok(await runCommand('nft', ['list', 'chain', 'ip', table, lbChain]))),
    );
    const seen = await sendMany(30);
    assert.equal(seen.get(target.name), undefined, 'a draining replica gets no new connection');
    assert.equal(resolved, false, 'drain waits while the connection is open');
    assert.equal(await open.finish(), target.name);
    await drained;
    t.diagnostic(
      `drain resolved ${(performance.now() - t0).toFixed(0)} ms after it began (request open meanwhile)`,
    );
    const counters = await lb.counters(key);
    assert.ok(!counters.some((c) => c.containerId === target.containerId), 'its counter is gone');
    // Nor does the kernel keep an entry of its connections through the frontend (a reuse would follow it).
    const tracked = await readFile('/proc/net/nf_conntrack', 'utf8');
    const left = tracked
      .split('\n')
      .filter((l) => l.includes(`dport=${frontend.hostPort} src=${target.ip} `) && l.includes(' sport=80 '));
    assert.deepEqual(left, []);
    await lb.setBackends(key, frontend, replicas);
  });

  it('a killed replica taken out of the set: every later request succeeds', async () => {
    const dead = replicas[2]!;
    ok(await d.polis(['kill', dead.name]));
    const live = replicas.slice(0, 2);
    await lb.setBackends(key, frontend, live);
    const seen = await sendMany(60);
    assert.deepEqual([...seen.keys()].sort(), ['replica-1', 'replica-2']);
    ok(await d.polis(['start', dead.name]));
    const ip = ok(
      await d.polis(['inspect', '-f', '{{.NetworkSettings.Networks.lbnet.IPAddress}}', dead.name]),
    );
    dead.ip = ip;
    await lb.setBackends(key, frontend, replicas);
    await waitFor('the restarted replica', async () => (await sendMany(6)).has(dead.name), 15_000);
  });

  it('inside the network the shared alias resolves to all three replicas (nslookup)', async () => {
    const res = ok(
      await d.polis(['run', '--rm', '--network', 'lbnet', 'busybox', 'timeout', '5', 'nslookup', 'web']),
    );
    for (const r of replicas) assert.ok(res.includes(r.ip), `${r.ip} in ${res}`);
  });

  it('a VIP on the network answers from a container, spread across the replicas', async () => {
    const vipKey = 'e2e/web/vip';
    await lb.setBackends(vipKey, { hostIp: VIP, hostPort: 80, protocol: 'tcp', vipBridge: bridge }, replicas);
    const addrs = ok(await runCommand('ip', ['-o', 'addr', 'show', 'dev', bridge]));
    assert.ok(addrs.includes(`${VIP}/32`), addrs);
    const script = 'for i in 1 2 3 4 5 6 7 8 9; do wget -qO- http://' + VIP + '/; done';
    const out = ok(
      await d.polis([
        'run',
        '--rm',
        '--init',
        '--network',
        'lbnet',
        'busybox',
        'timeout',
        '20',
        'sh',
        '-c',
        script,
      ]),
    );
    const names = new Set(out.split('\n').map((l) => l.trim()));
    assert.deepEqual([...names].sort(), ['replica-1', 'replica-2', 'replica-3']);
    await lb.remove(vipKey);
    const after = ok(await runCommand('ip', ['-o', 'addr', 'show', 'dev', bridge]));
    assert.ok(!after.includes(VIP), 'the VIP is off the bridge');
  });

  it('the userspace proxy path serves the same replicas (least connections) with exact active counts', async () => {
    const proxyKey = 'e2e/web/proxy';
    const port = await freePort();
    await lb.setBackends(
      proxyKey,
      { hostIp: '127.0.0.1', hostPort: port, protocol: 'tcp', algorithm: 'least-connections' },
      replicas,
    );
    assert.equal(lb.modeOf(proxyKey), 'proxy');
    const seen = await sendMany(30, port);
    assert.equal(seen.size, 3);
    const counters = await lb.counters(proxyKey);
    assert.equal(
      counters.reduce((n, c) => n + c.connections, 0),
      30,
    );
    const open = await openRequest(port);
    // The proxy closes its side of the finished requests a moment after the client saw the answer: wait
    // until only the open one is counted (a count stuck above 1 still fails, by the timeout).
    await waitFor(
      'only the open connection counted',
      async () => (await lb.counters(proxyKey)).reduce((n, c) => n + (c.active ?? 0), 0) === 1,
    );
    assert.equal((await lb.counters(proxyKey)).filter((c) => c.active === 1).length, 1);
    assert.match(await open.finish(), /^replica-\d$/);
    await lb.remove(proxyKey);
    await assert.rejects(httpGet('127.0.0.1', port, '/', 1000));
  });

  it('a refused connection does not pin its client port: the same port reaches a replica once there is one', async () => {
    // The kernel reuses a tracked tuple (and its NAT) for a new SYN from the same client port: neither
    // a refusal by the empty set nor one by a backend that then left may be replayed to that client.
    const refusedKey = 'e2e/refused/80';
    const fe: BalancerFrontend = { hostIp: '127.0.0.1', hostPort: await freePort(), protocol: 'tcp' };
    const client = await freePort();
    try {
      await lb.setBackends(refusedKey, fe, []);
      assert.equal(await requestFrom(fe.hostPort, client), 'ECONNREFUSED', 'an empty set refuses');
      const tracked = await runCommand('sh', [
        '-c',
        `grep -c 'sport=${client} dport=${fe.hostPort} ' /proc/net/nf_conntrack || true`,
      ]);
      assert.equal(tracked.stdout.trim(), '0', 'the refusal left no conntrack entry');
      await lb.setBackends(refusedKey, fe, replicas.slice(0, 1));
      assert.equal(await requestFrom(fe.hostPort, client), 'replica-1');

      // A backend that is gone (an address nobody holds): the client gives up on its SYN, whose entry
      // the kernel keeps for two minutes. Taken out of the set, it must not get that client port again.
      const gone = { ...replicas[1]!, containerId: 'gone', ip: GONE };
      await lb.setBackends(refusedKey, fe, [gone]);
      const other = await freePort();
      assert.equal(await requestFrom(fe.hostPort, other, 1000), 'ETIMEDOUT', 'nobody answered');
      await lb.setBackends(refusedKey, fe, replicas.slice(2));
      assert.equal(
        await requestFrom(fe.hostPort, other),
        'replica-3',
        'the same client port, a live replica',
      );
    } finally {
      await lb.remove(refusedKey);
    }
  });

  it('after a restart a new balancer on the same record lists the entry point and rebuilds its rules', async () => {
    const stale = `add chain ip ${table} s_stale\n`;
    ok(await runCommand('nft', ['-f', '-'], { input: stale }));
    const again = createServiceBalancer({ execRoot: stateDir, table });
    assert.deepEqual(again.list(), [key]);
    const c = await again.counters(key);
    assert.ok(
      c.every((x) => x.connections > 0),
      'counters carried over the rebuild',
    );
    const text = ok(await runCommand('nft', ['list', 'table', 'ip', table]));
    assert.ok(!text.includes('s_stale'), 'what the record does not name is swept');
    const seen = await sendMany(30);
    assert.equal(seen.size, 3);
  });

  it('remove deletes every rule: no table is left, list is empty, the frontend is closed', async () => {
    await lb.remove(key);
    assert.deepEqual(lb.list(), []);
    const res = await runCommand('nft', ['list', 'table', 'ip', table]);
    assert.notEqual(res.code, 0, 'the table is gone');
    await assert.rejects(httpGet('127.0.0.1', frontend.hostPort, '/', 1000));
  });
});
