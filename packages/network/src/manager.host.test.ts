import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { proc } from '@polis/core';
import { deleteBridges } from './bridge/bridge.js';
import { applyFirewall, changePorts, removeFirewall } from './firewall/apply.js';
import type { FirewallState } from './firewall/render.js';
import { NetworkManager } from './manager.js';
import { hostNames } from './naming.js';
import type { ContainerNetworkInfo } from './types.js';

/*
 * Against the real kernel: bridges, veths into network namespaces of real processes, the nftables
 * table, a published port fetched on 127.0.0.1. Everything is named after a fresh data root (own
 * table, own default bridge) and removed in `finally`.
 */

function httpGet(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get({ host, port, path: '/', timeout: 3000, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (b: Buffer) => chunks.push(b));
      res.on('end', () => resolve(Buffer.concat(chunks).toString()));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

async function links(): Promise<Map<string, { flags: string[] }>> {
  const { stdout } = await proc.run('ip', ['-j', 'link', 'show']);
  return new Map((JSON.parse(stdout) as { ifname: string; flags: string[] }[]).map((l) => [l.ifname, l]));
}

/** An httpd alone in a new network namespace: the stand-in for a container's init. */
function httpd(dir: string): proc.ChildProcess {
  return proc.start('unshare', ['-n', 'busybox', 'httpd', '-f', '-p', '80', '-h', dir], { stdio: 'ignore' });
}

/** Fetches from inside `pid`'s netns; true when the page came back within a second. */
async function fetchFrom(pid: number, url: string): Promise<boolean> {
  const r = await proc.run(
    'nsenter',
    ['-t', String(pid), '-n', 'timeout', '1', 'busybox', 'wget', '-q', '-O', '-', url],
    {
      okCodes: [0, 1, 124, 143],
    },
  );
  return r.code === 0 && r.stdout.includes('hello');
}

const info = (id: string, hostPort?: number): ContainerNetworkInfo => ({
  id: id.padEnd(64, '0'),
  name: id,
  hostname: id,
  portBindings: hostPort ? { '80/tcp': [{ hostIp: '', hostPort: String(hostPort) }] } : {},
  publishAll: false,
  exposedPorts: [],
});

test('real bridges, veths, firewall and a published port on 127.0.0.1', async (t) => {
  const dataRoot = `/tmp/polis-net-test-${randomBytes(4).toString('hex')}`;
  const names = hostNames(dataRoot);
  const dir = await mkdtemp(join(tmpdir(), 'polis-httpd-'));
  await writeFile(join(dir, 'index.html'), 'hello\n');
  const manager = new NetworkManager({ db: new Database(':memory:'), dataRoot });
  const children: proc.ChildProcess[] = [];
  const bridges: string[] = [names.defaultBridge];
  try {
    let t0 = performance.now();
    await manager.init();
    t.diagnostic(`init (default bridge + firewall): ${(performance.now() - t0).toFixed(1)} ms`);
    t0 = performance.now();
    const a = await manager.create({ name: 'a' });
    t.diagnostic(`network create: ${(performance.now() - t0).toFixed(1)} ms`);
    const b = await manager.create({ name: 'b', internal: true });
    bridges.push(a.bridge, b.bridge);
    const present = await links();
    for (const name of bridges) assert.ok(present.get(name)?.flags.includes('UP'), `${name} is up`);
    const table = (await proc.run('nft', ['list', 'table', 'ip', names.table])).stdout;
    assert.match(
      table,
      new RegExp(`ip saddr ${a.subnet.replace(/\./g, '\\.')} oifname != "${a.bridge}" masquerade`),
    );
    assert.match(table, new RegExp(`iifname "${b.bridge}" oifname != "${b.bridge}" drop`));

    const web = httpd(dir);
    const peer = httpd(dir);
    const stranger = httpd(dir);
    children.push(web, peer, stranger);
    await new Promise((r) => setTimeout(r, 100));
    const port = 20000 + Math.floor(Math.random() * 20000);
    await manager.connect(info('web').id, { network: 'a' });
    await manager.connect(info('peer').id, { network: 'a' });
    await manager.connect(info('stranger').id, { network: 'b' });
    t0 = performance.now();
    const attached = await manager.attach(info('web', port), { pid: web.pid! });
    t.diagnostic(`attach with one published port: ${(performance.now() - t0).toFixed(1)} ms`);
    const peerAt = await manager.attach(info('peer'), { pid: peer.pid! });
    await manager.attach(info('stranger'), { pid: stranger.pid! });
    const webIp = attached.endpoints[0]!.ipAddress;
    assert.deepEqual(attached.nameservers, [a.gateway]);
    assert.equal(await httpGet(webIp, 80), 'hello\n', 'the host reaches the container directly');
    assert.equal(await httpGet('127.0.0.1', port), 'hello\n', 'the published port answers on 127.0.0.1');
    assert.ok(await fetchFrom(peer.pid!, `http://${webIp}/`), 'same network: reachable');
    assert.ok(!(await fetchFrom(stranger.pid!, `http://${webIp}/`)), 'other (internal) network: isolated');
    // Hairpin: with br_netfilter loaded (as here) the DNAT'd packet is bridged back out of the port it
    // came in on, which the bridge allows only in hairpin mode; the endpoint wiring sets it.
    await proc.run('ip', [
      'link',
      'set',
      'dev',
      attached.endpoints[0]!.hostVeth,
      'type',
      'bridge_slave',
      'hairpin',
      'on',
    ]);
    assert.ok(
      await fetchFrom(web.pid!, `http://${peerAt.endpoints[0]!.network.gateway}:${port}/`),
      'hairpin',
    );

    await manager.forget(info('web').id);
    await manager.forget(info('peer').id);
    await manager.forget(info('stranger').id);
    const after = await links();
    assert.ok(
      ![...after.keys()].some((n) => n.startsWith('pv') && n.length === 14 && !present.has(n)),
      'veths gone',
    );
    assert.doesNotMatch(
      (await proc.run('nft', ['list', 'table', 'ip', names.table])).stdout,
      / : \d+\.\d+\.\d+\.\d+ \. 80/,
    );
    await manager.remove('a');
    await manager.remove('b');
    assert.ok(!(await links()).has(a.bridge));

    // The whole-table rewrite with 3 networks and 100 published ports, as polisd does on every change.
    const state: FirewallState = {
      networks: [1, 2, 3].map((i) => ({ bridge: `pl-t${i}`, subnet: `10.${i}.0.0/16`, internal: i === 3 })),
      ports: Array.from({ length: 100 }, (_, i) => ({
        protocol: 'tcp' as const,
        hostIp: '',
        hostPort: 30000 + i,
        containerIp: `10.1.0.${i + 2}`,
        containerPort: 80,
      })),
    };
    const median = async (fn: () => Promise<void>): Promise<string> => {
      const times: number[] = [];
      for (let i = 0; i < 9; i++) {
        t0 = performance.now();
        await fn();
        times.push(performance.now() - t0);
      }
      return `${times.sort((x, y) => x - y)[4]!.toFixed(1)} ms`;
    };
    t.diagnostic(
      `firewall rebuild (3 networks, 100 ports): median ${await median(() => applyFirewall(names.table, state))}`,
    );
    let n = 0;
    const one = () => [{ ...state.ports[0]!, hostPort: 40000 + n++ }];
    t.diagnostic(
      `one port added in place: median ${await median(() => changePorts(names.table, 'add', one()))}`,
    );
    n = 0;
    t.diagnostic(
      `one port deleted in place: median ${await median(() => changePorts(names.table, 'delete', one()))}`,
    );
  } finally {
    for (const c of children) c.kill('SIGKILL');
    await removeFirewall(names.table).catch(() => undefined);
    await deleteBridges(bridges).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
  const left = await links();
  assert.ok(!bridges.some((n) => left.has(n)), 'no bridge left');
  const tables = (await proc.run('nft', ['list', 'tables'])).stdout;
  assert.ok(!tables.includes(names.table), 'no table left');
});
