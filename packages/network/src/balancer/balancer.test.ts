import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPolisError } from '@polis/core';
import { Balancer, balancerTable } from './balancer.js';

async function freePort(): Promise<number> {
  const s = net.createServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

test('the table name follows the exec root, as the firewall table follows the data root', () => {
  assert.equal(balancerTable('/run/polis'), 'polis_lb');
  assert.match(balancerTable('/tmp/x/run'), /^polis_lb_[0-9a-f]{8}$/);
  assert.notEqual(balancerTable('/tmp/x/run'), balancerTable('/tmp/y/run'));
});

test('bad input is refused with network.invalid before anything is made', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lb-unit-'));
  const lb = new Balancer({ execRoot: dir, disableKernel: true });
  const f = { hostIp: '127.0.0.1', hostPort: 8080, protocol: 'tcp' as const };
  const b = { containerId: 'a', ip: '10.0.0.2', port: 80 };
  const cases: [string, Parameters<Balancer['setBackends']>][] = [
    ['port', ['k', { ...f, hostPort: 0 }, [b]]],
    ['address', ['k', { ...f, hostIp: 'nope' }, [b]]],
    ['backend address', ['k', f, [{ ...b, ip: 'fe80::1' }]]],
    ['duplicate', ['k', f, [b, b]]],
    ['vip without bridge name', ['k', { ...f, vipBridge: 'bad name!' }, [b]]],
  ];
  for (const [what, args] of cases) {
    await assert.rejects(
      lb.setBackends(...args),
      (e) => isPolisError(e) && e.code === 'network.invalid',
      what,
    );
  }
  assert.deepEqual(lb.list(), []);
  await rm(dir, { recursive: true, force: true });
});

test('entry points are recorded on the exec root: a new instance (daemon restart) lists them', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lb-unit-'));
  const lb = new Balancer({ execRoot: dir, disableKernel: true });
  const port = await freePort();
  await lb.setBackends('s/web/80', { hostIp: '127.0.0.1', hostPort: port, protocol: 'tcp' }, [
    { containerId: 'a', ip: '127.0.0.1', port: 1 },
  ]);
  assert.equal(lb.modeOf('s/web/80'), 'proxy');
  const record = JSON.parse(await readFile(join(dir, 'balancer', `${balancerTable(dir)}.json`), 'utf8'));
  assert.deepEqual(Object.keys(record.services), ['s/web/80']);
  assert.deepEqual(new Balancer({ execRoot: dir, disableKernel: true }).list(), ['s/web/80']);
  // Unknown keys: nothing to drain, no counters.
  await lb.drain('nope', 'a', 10);
  assert.deepEqual(await lb.counters('nope'), []);
  await lb.remove('s/web/80');
  assert.deepEqual(new Balancer({ execRoot: dir, disableKernel: true }).list(), []);
  await lb.close();
  await rm(dir, { recursive: true, force: true });
});
