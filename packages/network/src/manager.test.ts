import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { PolisError, isPolisError, type ErrorCode } from '@polis/core';
import type { WireRequest } from './endpoint/wire.js';
import type { FirewallState } from './firewall/render.js';
import { parseCidr } from './ipam/cidr.js';
import { NetworkManager } from './manager.js';
import type { DnsHooks, HostOps } from './networks/context.js';
import type { ContainerNetworkInfo, PortBinding } from './types.js';

/** The host as a record of what was asked of it. */
function fakeHost(routes = [{ dst: parseCidr('192.0.2.0/24'), dev: 'eth0' }]) {
  const state = {
    bridges: new Set<string>(),
    firewall: undefined as FirewallState | undefined,
    veths: new Map<string, WireRequest>(),
    failWire: false,
  };
  const host: HostOps = {
    routes: async () => routes,
    ensureBridges: async (specs) => specs.forEach((s) => state.bridges.add(s.name)),
    deleteBridges: async (names) => names.forEach((n) => state.bridges.delete(n)),
    applyFirewall: async (_table, s) => {
      state.firewall = s;
    },
    // In place, as nft would: a deletion of a port that is not there fails.
    changePorts: async (_table, op, ports) => {
      const current = state.firewall!.ports;
      const same = (a: PortBinding, b: PortBinding) => a.hostPort === b.hostPort && a.hostIp === b.hostIp;
      for (const p of ports) {
        const at = current.findIndex((c) => same(c, p));
        if (op === 'add' && at < 0) current.push(p);
        if (op === 'delete' && at < 0) throw new PolisError('network.setup_failed', 'no such element');
        if (op === 'delete') current.splice(at, 1);
      }
    },
    removeFirewall: async () => {
      state.firewall = undefined;
    },
    wireEndpoints: async (requests) => {
      if (state.failWire) throw new PolisError('network.setup_failed', 'no');
      requests.forEach((r) => state.veths.set(r.hostVeth, r));
    },
    unwireEndpoints: async (names) => names.forEach((n) => state.veths.delete(n)),
    // Fixed ports as asked; a port another binding holds is taken.
    resolveBindings: async (c, taken) =>
      Object.entries(c.portBindings).flatMap(([key, bs]) =>
        bs.map((b): PortBinding => {
          const hostPort = Number(b.hostPort);
          if (taken.some((t) => t.hostPort === hostPort))
            throw new PolisError('network.port_in_use', 'taken');
          return { protocol: 'tcp', containerPort: Number(key.split('/')[0]), hostIp: b.hostIp, hostPort };
        }),
      ),
  };
  return { host, state };
}

function fakeDns() {
  const names = new Map<string, string[]>();
  const down = new Set<string>();
  const dns: DnsHooks = {
    register: (n, e, list) => void names.set(`${n.name}/${e.containerId}`, list),
    unregister: (n, e) => void names.delete(`${n.name}/${e.containerId}`),
    networkDown: (n) => void down.add(n.name),
  };
  return { dns, names, down };
}

async function setup(
  options: { defaultSubnet?: string; routes?: ReturnType<typeof fakeHost>['state'] } = {},
) {
  const db = new Database(':memory:');
  const { host, state } = fakeHost();
  const { dns, names, down } = fakeDns();
  const manager = new NetworkManager({ db, dataRoot: '/tmp/polis-unit', host, dns, ...options });
  await manager.init();
  return { db, manager, state, names, down };
}

const container = (id: string, ports: ContainerNetworkInfo['portBindings'] = {}): ContainerNetworkInfo => ({
  id: id.padEnd(64, '0'),
  name: `name-${id}`,
  hostname: id,
  portBindings: ports,
  publishAll: false,
  exposedPorts: [],
});

const code = (c: ErrorCode) => (e: unknown) => isPolisError(e, c);

test('init makes the default bridge once and the firewall; the default subnet avoids host routes', async () => {
  const { db, manager, state } = await setup();
  const [bridge] = manager.list();
  assert.equal(bridge?.name, 'bridge');
  assert.equal(bridge?.subnet, '172.17.0.0/16');
  assert.equal(bridge?.gateway, '172.17.0.1');
  assert.ok(state.bridges.has(bridge!.bridge));
  assert.deepEqual(
    state.firewall?.networks.map((n) => n.subnet),
    ['172.17.0.0/16'],
  );
  await new NetworkManager({ db, dataRoot: '/tmp/polis-unit', host: fakeHost().host }).init();
  assert.equal(manager.list().length, 1, 'a second init keeps the one default network');

  const busy = fakeHost([{ dst: parseCidr('172.17.5.0/24'), dev: 'eth9' }]);
  const other = new NetworkManager({
    db: new Database(':memory:'),
    host: busy.host,
    defaultSubnet: '172.17.0.1/16',
  });
  await other.init();
  assert.equal(other.get('bridge').subnet, '172.18.0.0/16');
  const bip = new NetworkManager({
    db: new Database(':memory:'),
    host: fakeHost().host,
    defaultSubnet: '10.7.0.9/24',
  });
  await bip.init();
  assert.deepEqual([bip.get('bridge').subnet, bip.get('bridge').gateway], ['10.7.0.0/24', '10.7.0.9']);
});

test('create, get by name / id / prefix, remove; the default network stays', async () => {
  const { manager, state, down } = await setup();
  const n = await manager.create({ name: 'front', labels: { a: 'b' } });
  assert.match(n.id, /^[0-9a-f]{64}$/);
  assert.equal(n.bridge, `pl-${n.id.slice(0, 12)}`);
  assert.equal(n.subnet, '172.18.0.0/16');
  assert.ok(state.bridges.has(n.bridge) && !down.has('front'));
  assert.equal(manager.get('front').id, n.id);
  assert.equal(manager.get(n.id.slice(0, 6)).id, n.id);
  assert.throws(() => manager.get('nope'), code('network.not_found'));
  await assert.rejects(manager.create({ name: 'front' }), code('network.exists'));
  await assert.rejects(
    manager.create({ name: 'x', subnet: '172.18.0.0/24' }),
    code('network.subnet_overlap'),
  );
  assert.equal((await manager.create({ name: 'back' })).subnet, '172.19.0.0/16');
  assert.deepEqual(
    state.firewall?.networks.map((x) => x.subnet),
    ['172.17.0.0/16', '172.18.0.0/16', '172.19.0.0/16'],
  );
  await assert.rejects(manager.remove('bridge'), code('network.predefined'));
  await manager.remove('front');
  assert.ok(!state.bridges.has(n.bridge) && down.has('front'));
  assert.equal(state.firewall?.networks.length, 2);
  await assert.rejects(manager.remove('front'), code('network.not_found'));
});

test('attach wires all endpoints, publishes ports, registers names; detach undoes it once', async () => {
  const { db, manager, state, names } = await setup();
  const net = await manager.create({ name: 'app', subnet: '10.20.0.0/24' });
  const c = container('c1', { '80/tcp': [{ hostIp: '', hostPort: '8080' }] });
  await manager.connect(c.id, { network: 'app', aliases: ['web'] });
  await manager.connect(c.id, { network: 'bridge' });
  await assert.rejects(manager.connect(c.id, { network: 'app' }), code('network.already_connected'));
  await assert.rejects(
    manager.connect('other', { network: 'bridge', aliases: ['x'] }),
    code('network.invalid'),
  );
  await assert.rejects(
    manager.connect('other', { network: 'bridge', ip: '172.17.0.9' }),
    code('network.invalid'),
  );
  await assert.rejects(
    manager.connect('other', { network: 'app', ip: '10.21.0.9' }),
    code('network.invalid'),
  );

  const result = await manager.attach(c, { pid: 4242 });
  assert.deepEqual(
    result.endpoints.map((e) => [e.network.name, e.interfaceName, e.ipAddress, e.prefixLength, e.macAddress]),
    [
      ['app', 'eth0', '10.20.0.2', 24, '02:42:0a:14:00:02'],
      ['bridge', 'eth1', '172.17.0.2', 16, '02:42:ac:11:00:02'],
    ],
  );
  assert.deepEqual(result.nameservers, ['10.20.0.1']);
  assert.deepEqual(result.ports, [{ protocol: 'tcp', containerPort: 80, hostIp: '', hostPort: 8080 }]);
  const requests = [...state.veths.values()];
  assert.deepEqual(
    requests.map((r) => [r.bridge, r.defaultRoute, r.netns, r.gateway]),
    [
      [net.bridge, true, { pid: 4242 }, '10.20.0.1'],
      [manager.get('bridge').bridge, false, { pid: 4242 }, '172.17.0.1'],
    ],
  );
  assert.deepEqual(
    state.firewall?.ports.map((p) => [p.hostPort, p.containerIp]),
    [[8080, '10.20.0.2']],
  );
  assert.deepEqual(names.get(`app/${c.id}`), ['name-c1', 'web', 'c10000000000']);
  assert.equal(names.has(`bridge/${c.id}`), false, 'no embedded DNS on the default bridge');
  assert.deepEqual(manager.portsOf(c.id), result.ports);
  await assert.rejects(manager.remove('app'), code('network.in_use'));

  await manager.detach(c.id);
  await manager.detach(c.id);
  assert.equal(state.veths.size, 0);
  assert.deepEqual(state.firewall?.ports, []);
  assert.equal(names.size, 0);
  assert.equal(leaseCount(db), 0);
  assert.deepEqual(
    manager.endpointsOf(c.id).map((e) => [e.network.name, e.ipAddress, e.hostVeth]),
    [
      ['app', '', ''],
      ['bridge', '', ''],
    ],
    'the intents stay for the next start',
  );
  await manager.forget(c.id);
  assert.deepEqual(manager.endpointsOf(c.id), []);
  await manager.remove('app');
});

function leaseCount(db: Database.Database): number {
  return (db.prepare('SELECT COUNT(*) AS n FROM network_leases').get() as { n: number }).n;
}

test('a failed attach leaves nothing: taken host port, failed wiring, taken static address', async () => {
  const { db, manager, state, names } = await setup();
  await manager.create({ name: 'app', subnet: '10.20.0.0/24' });
  const a = container('a', { '80/tcp': [{ hostIp: '', hostPort: '8080' }] });
  await manager.connect(a.id, { network: 'app', ip: '10.20.0.50' });
  await manager.attach(a, { pid: 1 });

  const b = container('b', { '80/tcp': [{ hostIp: '', hostPort: '8080' }] });
  await manager.connect(b.id, { network: 'app' });
  await assert.rejects(manager.attach(b, { pid: 2 }), code('network.port_in_use'));
  const c = container('c');
  await manager.connect(c.id, { network: 'app', ip: '10.20.0.50' });
  await assert.rejects(manager.attach(c, { pid: 3 }), code('network.address_in_use'));
  state.failWire = true;
  await assert.rejects(manager.attach(container('d'), { pid: 4 }), code('network.setup_failed'));

  assert.deepEqual(
    [...state.veths.values()].map((r) => r.address),
    ['10.20.0.50'],
  );
  assert.equal(leaseCount(db), 1);
  assert.deepEqual(
    state.firewall?.ports.map((p) => p.containerIp),
    ['10.20.0.50'],
  );
  assert.deepEqual([...names.keys()], [`app/${a.id}`]);
  assert.deepEqual(manager.endpointsOf(b.id)[0]?.hostVeth, '');
  assert.deepEqual(
    manager.endpointsOf(container('d').id),
    [],
    'the implicit default endpoint is dropped again',
  );
});

test('live connect/disconnect of a running container', async () => {
  const { manager, state, names } = await setup();
  await manager.create({ name: 'app' });
  const c = container('c');
  await manager.connect(c.id, { network: 'bridge' });
  await manager.attach(c, { pid: 7 });
  const r = await manager.attachOne(c, 7, { network: 'app', aliases: ['api'] });
  assert.deepEqual(
    r.endpoints.map((e) => [e.network.name, e.interfaceName]),
    [
      ['bridge', 'eth0'],
      ['app', 'eth1'],
    ],
  );
  assert.equal([...state.veths.values()].find((v) => v.interfaceName === 'eth1')?.defaultRoute, false);
  assert.deepEqual(names.get(`app/${c.id}`), ['name-c', 'api', 'c00000000000']);
  await manager.detachOne(c.id, 'app');
  assert.deepEqual(
    manager.endpointsOf(c.id).map((e) => e.network.name),
    ['bridge'],
  );
  assert.equal(state.veths.size, 1);
  assert.equal(names.size, 0);
  await assert.rejects(manager.disconnect(c.id, 'app'), code('network.not_connected'));
  await manager.disconnect(c.id, 'app', true);
});

test('reconcile detaches containers that are gone and gives running ones their names back', async () => {
  const { db, manager, state, names } = await setup();
  await manager.create({ name: 'app' });
  const alive = container('alive');
  const dead = container('dead', { '80/tcp': [{ hostIp: '', hostPort: '9090' }] });
  for (const c of [alive, dead]) {
    await manager.connect(c.id, { network: 'app' });
    await manager.attach(c, { pid: 11 });
  }
  names.clear();
  await manager.reconcile(new Map([[alive.id, 11]]));
  assert.deepEqual(
    [...state.veths.values()].map((v) => v.address),
    ['172.18.0.2'],
  );
  assert.equal(leaseCount(db), 1);
  assert.deepEqual(state.firewall?.ports, []);
  assert.deepEqual([...names.keys()], [`app/${alive.id}`]);
});

test('prune removes unused custom networks only', async () => {
  const { manager } = await setup();
  await manager.create({ name: 'used' });
  await manager.create({ name: 'idle' });
  await manager.connect(container('c').id, { network: 'used' });
  assert.deepEqual(await manager.prune(), ['idle']);
  assert.deepEqual(
    manager.list().map((n) => n.name),
    ['bridge', 'used'],
  );
  assert.deepEqual(
    manager.list({ dangling: ['true'] }).map((n) => n.name),
    [],
  );
});

/** From now on SQLite answers "database or disk is full" to anything that needs a new page. */
function fillUp(db: Database.Database): void {
  db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
}
const freeUp = (db: Database.Database): void => void db.pragma('max_page_count = 1073741823');
/** Labels too large for the pages there are, so the record needs new ones. */
const bulky = { note: 'x'.repeat(20_000) };

test('network create on a full database leaves no bridge, record, firewall rule or DNS; the retry works', async () => {
  const { db, manager, state } = await setup();
  const bridges = [...state.bridges];
  const firewall = structuredClone(state.firewall);
  fillUp(db);
  await assert.rejects(manager.create({ name: 'full', labels: bulky }), { code: 'SQLITE_FULL' });
  assert.deepEqual([...state.bridges], bridges);
  assert.deepEqual(state.firewall, firewall);
  assert.deepEqual(
    manager.list().map((n) => n.name),
    ['bridge'],
  );
  freeUp(db);
  const made = await manager.create({ name: 'full', labels: bulky });
  assert.ok(state.bridges.has(made.bridge));
});

test('a failed network create undoes every step even when one undo fails, and reports the first failure', async () => {
  const db = new Database(':memory:');
  const { host, state } = fakeHost();
  const { dns } = fakeDns();
  const manager = new NetworkManager({
    db,
    dataRoot: '/tmp/polis-unit',
    dns,
    host: {
      ...host,
      // The rules for a second network will not apply, and by then the database refuses writes too.
      applyFirewall: async (table, s) => {
        if (s.networks.length > 1 && !db.pragma('query_only', { simple: true })) {
          db.pragma('query_only = ON');
          throw new PolisError('network.setup_failed', 'nft said no');
        }
        return host.applyFirewall(table, s);
      },
    },
  });
  await manager.init();
  const bridges = [...state.bridges];
  await assert.rejects(manager.create({ name: 'doomed' }), code('network.setup_failed'));
  assert.deepEqual(
    [...state.bridges],
    bridges,
    'the bridge is gone although the record could not be deleted',
  );
  db.pragma('query_only = OFF');
});

/**
 * A database on a disk that fills up: after `allow` more writes, every INSERT, UPDATE and DELETE fails
 * with SQLITE_FULL (deletes too, as in WAL mode, where a delete appends pages), until `free`.
 */
function fillingDb(real: Database.Database) {
  let allow = Infinity;
  const full = (): never => {
    throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
  };
  const db = new Proxy(real, {
    get(target, prop) {
      if (prop === 'prepare') {
        return (sql: string) => {
          const statement = target.prepare(sql);
          if (!/^\s*(INSERT|UPDATE|DELETE)/i.test(sql)) return statement;
          return new Proxy(statement, {
            get(st, p) {
              if (p === 'run') return (...args: unknown[]) => (allow-- > 0 ? st.run(...args) : full());
              const v = Reflect.get(st, p) as unknown;
              return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(st) : v;
            },
          });
        };
      }
      const v = Reflect.get(target, prop) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return {
    db,
    fillAfter: (writes: number) => void (allow = writes),
    free: () => void (allow = Infinity),
  };
}

test('a live connect on a filling disk leaves no endpoint, lease, veth or name; the retry works', async () => {
  const disk = fillingDb(new Database(':memory:'));
  const { host, state } = fakeHost();
  const { dns, names } = fakeDns();
  const manager = new NetworkManager({ db: disk.db, dataRoot: '/tmp/polis-unit', host, dns });
  await manager.init();
  await manager.create({ name: 'app' });
  const c = container('c');
  await manager.attach(c, { pid: 7 });
  const veths = [...state.veths.keys()];
  // Each write of the connect in turn is the one that finds the disk full.
  for (let writes = 0; writes < 4; writes++) {
    disk.fillAfter(writes);
    await assert.rejects(manager.attachOne(c, 7, { network: 'app', aliases: ['api'] }), {
      code: 'SQLITE_FULL',
    });
    disk.free();
    assert.deepEqual(
      manager.endpointsOf(c.id).map((e) => e.network.name),
      ['bridge'],
      `after ${writes} writes`,
    );
    assert.deepEqual([...state.veths.keys()], veths);
    assert.equal(names.size, 0);
  }
  const r = await manager.attachOne(c, 7, { network: 'app', aliases: ['api'] });
  assert.equal(
    r.endpoints.find((e) => e.network.name === 'app')?.ipAddress,
    '172.18.0.2',
    'no lease was kept',
  );
  assert.deepEqual(names.get(`app/${c.id}`), ['name-c', 'api', 'c00000000000']);
});

test('a live disconnect on a filling disk unwires but keeps lease and record together; the retry finishes it', async () => {
  const disk = fillingDb(new Database(':memory:'));
  const { host, state } = fakeHost();
  const { dns, names } = fakeDns();
  const manager = new NetworkManager({ db: disk.db, dataRoot: '/tmp/polis-unit', host, dns });
  await manager.init();
  await manager.create({ name: 'app' });
  const c = container('c');
  await manager.attach(c, { pid: 7 });
  await manager.attachOne(c, 7, { network: 'app' });
  const appIp = (): string | undefined =>
    manager.endpointsOf(c.id).find((e) => e.network.name === 'app')?.ipAddress;
  assert.equal(appIp(), '172.18.0.2');
  for (let writes = 0; writes < 3; writes++) {
    disk.fillAfter(writes);
    await assert.rejects(manager.detachOne(c.id, 'app'), { code: 'SQLITE_FULL' });
    disk.free();
    assert.equal(appIp(), '172.18.0.2', `after ${writes} writes the record keeps its address`);
  }
  // While the record holds the address, nobody else gets it.
  const d = container('d');
  await manager.connect(d.id, { network: 'app' });
  const other = await manager.attach(d, { pid: 8 });
  assert.equal(other.endpoints[0]?.ipAddress, '172.18.0.3');
  await manager.detachOne(c.id, 'app');
  assert.deepEqual(
    manager.endpointsOf(c.id).map((e) => e.network.name),
    ['bridge'],
  );
  assert.equal(state.veths.size, 2);
  assert.equal(names.has(`app/${c.id}`), false);
  await manager.attachOne(c, 7, { network: 'app' });
  assert.equal(appIp(), '172.18.0.2', 'the address is free again once the disconnect is done');
});

test('an attach at start on a filling disk leaves no endpoint, lease or veth; the retry works', async () => {
  const disk = fillingDb(new Database(':memory:'));
  const { host, state } = fakeHost();
  const manager = new NetworkManager({ db: disk.db, dataRoot: '/tmp/polis-unit', host });
  await manager.init();
  const c = container('c', { '80/tcp': [{ hostIp: '', hostPort: '8080' }] });
  // Default endpoint, lease, wiring, then the published port: each in turn finds the disk full.
  for (let writes = 0; writes < 4; writes++) {
    disk.fillAfter(writes);
    await assert.rejects(manager.attach(c, { pid: 7 }), { code: 'SQLITE_FULL' });
    disk.free();
    assert.equal(state.veths.size, 0, `after ${writes} writes`);
    assert.deepEqual(manager.portsOf(c.id), []);
  }
  const r = await manager.attach(c, { pid: 7 });
  assert.equal(r.endpoints[0]?.ipAddress, '172.17.0.2');
  assert.deepEqual(
    manager.portsOf(c.id).map((p) => p.hostPort),
    [8080],
  );
});

test('a failed undo of a network create is logged, and the caller gets the first failure', async () => {
  const { manager } = await setup();
  const host = (manager as unknown as { ctx: { host: HostOps } }).ctx.host;
  host.applyFirewall = async () => {
    throw new PolisError('network.setup_failed', 'nft: table busy');
  };
  host.deleteBridges = async () => {
    throw new PolisError('network.setup_failed', 'bridge busy');
  };
  const logged: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => logged.push(String(chunk)) > 0) as typeof write;
  try {
    await assert.rejects(manager.create({ name: 'front' }), /table busy/);
  } finally {
    process.stderr.write = write;
  }
  const text = logged.join('');
  assert.match(
    text,
    /level=warn component=network msg="could not undo: delete the bridge" network="front".*"bridge busy"/,
  );
  assert.match(
    text,
    /msg="could not undo: rebuild the firewall without it" network="front".*"nft: table busy"/,
  );
});
