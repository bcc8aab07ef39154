import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { EventLog } from '@polis/monitor';
import type { EndpointRequest } from '@polis/network';
import { createApiServer } from '../../server.js';
import { listenUnix } from '../../listen.js';
import { fakeDeps, fakeNetworkDeps } from '../../testing/fakes.js';
import { closeServer, request, tempSocket, type TestResponse } from '../../testing/http.js';

type Harness = ReturnType<typeof fakeNetworkDeps> & {
  events: EventLog;
  call(method: string, path: string, body?: unknown): Promise<TestResponse>;
};

async function withServer(fn: (h: Harness) => Promise<void>, db = new Database(':memory:')): Promise<void> {
  const fakes = fakeNetworkDeps();
  const events = new EventLog(db);
  fakes.deps.events = events;
  const server = createApiServer(fakes.deps);
  const socket = tempSocket();
  await listenUnix(server, socket);
  const call = (method: string, path: string, body?: unknown): Promise<TestResponse> =>
    request(socket, method, path, body === undefined ? undefined : JSON.stringify(body));
  try {
    await fn({ ...fakes, events, call });
  } finally {
    await closeServer(server);
  }
}

const codeOf = (res: TestResponse): string => (res.json() as { code: string }).code;

test('GET /networks lists in Docker shape; filters are checked and scope answered here', () =>
  withServer(async ({ call, networks }) => {
    const res = await call('GET', '/v1.41/networks');
    assert.equal(res.status, 200);
    const bridge = networks.get('bridge');
    const all = res.json() as { Name: string; Driver: string }[];
    // host and none are listed as Docker lists them; the rest comes from the network layer.
    assert.deepEqual(
      all.slice(1).map((n) => [n.Name, n.Driver]),
      [
        ['host', 'host'],
        ['none', 'null'],
      ],
    );
    assert.deepEqual(all.slice(0, 1), [
      {
        Name: 'bridge',
        Id: bridge.id,
        Created: '2024-05-01T10:00:00.000000001Z',
        Scope: 'local',
        Driver: 'bridge',
        EnableIPv6: false,
        IPAM: {
          Driver: 'default',
          Options: null,
          Config: [{ Subnet: '172.17.0.0/16', Gateway: '172.17.0.1' }],
        },
        Internal: false,
        Attachable: false,
        Ingress: false,
        ConfigFrom: { Network: '' },
        ConfigOnly: false,
        Containers: {},
        Options: {},
        Labels: {},
      },
    ]);
    await call('POST', '/networks/create', { Name: 'front', Labels: { tier: 'web' } });
    const names = async (filters: object): Promise<string[]> =>
      (
        (await call('GET', `/networks?filters=${encodeURIComponent(JSON.stringify(filters))}`)).json() as {
          Name: string;
        }[]
      ).map((n) => n.Name);
    assert.deepEqual(await names({ label: ['tier=web'] }), ['front']);
    assert.deepEqual(await names({ type: { custom: true } }), ['front']);
    assert.deepEqual(await names({ scope: ['local'], name: ['bri'] }), ['bridge']);
    assert.deepEqual(await names({ type: ['builtin'], driver: ['host'] }), ['host']);
    assert.equal((await call('GET', '/networks/host')).status, 200);
    const removeHost = await call('DELETE', '/networks/none');
    assert.equal(removeHost.status, 403);
    assert.match(removeHost.text, /pre-defined network/);
    assert.deepEqual(await names({ scope: ['swarm'] }), []);
    const bad = await call('GET', `/networks?filters=${encodeURIComponent('{"color":["red"]}')}`);
    assert.equal(bad.status, 400);
    assert.match(bad.text, /invalid filter 'color'/);
  }));

test('POST /networks/create: 201 with the id, IPAM pool passed on, events; errors map to 400 and 409', () =>
  withServer(async ({ call, networks, events }) => {
    const res = await call('POST', '/networks/create', {
      Name: 'back',
      CheckDuplicate: true,
      Driver: 'bridge',
      Internal: true,
      IPAM: {
        Driver: 'default',
        Config: [{ Subnet: '10.9.0.0/16', Gateway: '10.9.0.254', IPRange: '10.9.1.0/24' }],
      },
      Options: { 'com.docker.network.bridge.name': 'br9' },
      Labels: { a: 'b' },
    });
    assert.equal(res.status, 201);
    const { Id, Warning } = res.json() as { Id: string; Warning: string };
    assert.equal(Warning, '');
    assert.deepEqual(networks.calls.at(-1)?.args[0], {
      name: 'back',
      driver: 'bridge',
      internal: true,
      labels: { a: 'b' },
      options: { 'com.docker.network.bridge.name': 'br9' },
      checkDuplicate: true,
      subnet: '10.9.0.0/16',
      ipRange: '10.9.1.0/24',
      gateway: '10.9.0.254',
    });
    const inspected = (await call('GET', `/networks/${Id.slice(0, 10)}`)).json() as Record<string, unknown>;
    assert.equal(inspected.Name, 'back');
    assert.equal(inspected.Internal, true);
    assert.deepEqual(inspected.IPAM, {
      Driver: 'default',
      Options: null,
      Config: [{ Subnet: '10.9.0.0/16', Gateway: '10.9.0.254', IPRange: '10.9.1.0/24' }],
    });
    const [event] = events.history({ filters: { type: ['network'] } });
    assert.deepEqual(event?.Actor, { ID: Id, Attributes: { name: 'back', type: 'bridge' } });
    assert.equal(event?.Action, 'create');

    const duplicate = await call('POST', '/networks/create', { Name: 'back' });
    assert.equal(duplicate.status, 409);
    assert.equal(codeOf(duplicate), 'network.exists');
    const overlap = await call('POST', '/networks/create', {
      Name: 'o',
      IPAM: { Config: [{ Subnet: '10.9.5.0/24' }] },
    });
    assert.equal(overlap.status, 409);
    for (const [body, message] of [
      [{ Name: 'x', IPAM: { Config: [{ Subnet: '10.0.0.0/33' }] } }, 'invalid CIDR address: 10.0.0.0/33'],
      [{ Name: 'x', IPAM: { Config: [{ Subnet: 'banana' }] } }, 'invalid CIDR address: banana'],
      [{ Name: 'x', IPAM: { Config: [{ Subnet: '10.1.0.0/16', Gateway: '10.1.0' }] } }, 'invalid gateway'],
      [{ Name: 'x', IPAM: { Config: [{ Gateway: '10.1.0.1' }] } }, 'needs a subnet'],
      [{ Name: 'x', Driver: 'overlay' }, 'network driver "overlay" is not supported'],
      [{ Name: 'x', EnableIPv6: true }, 'IPv6'],
      [{ Name: '' }, 'network name is required'],
      [
        { Name: 'x', IPAM: { Config: [{ Subnet: '10.1.0.0/16' }, { Subnet: '10.2.0.0/16' }] } },
        'one IPAM pool',
      ],
    ] as const) {
      const bad = await call('POST', '/networks/create', body);
      assert.equal(bad.status, 400, JSON.stringify(body));
      const said = (bad.json() as { message: string }).message;
      assert.ok(said.includes(message), `${said} should say ${message}`);
    }
  }));

test('DELETE /networks/{id}: 204 and a destroy event; unknown 404; in use 409; the default network 403', () =>
  withServer(async ({ call, networks, containers, events }) => {
    await call('POST', '/networks/create', { Name: 'gone' });
    const del = await call('DELETE', '/networks/gone');
    assert.equal(del.status, 204);
    assert.equal(events.history({}).at(-1)?.Action, 'destroy');
    const unknown = await call('DELETE', '/networks/gone');
    assert.equal(unknown.status, 404);
    assert.equal(codeOf(unknown), 'network.not_found');
    assert.equal((await call('GET', '/networks/nothing')).status, 404);
    assert.equal((await call('GET', '/networks/bridge?scope=swarm')).status, 404);

    await call('POST', '/networks/create', { Name: 'busy' });
    const c = containers.add('web');
    await networks.connect(c.id, { network: 'busy' });
    const busy = await call('DELETE', '/networks/busy');
    assert.equal(busy.status, 409);
    assert.equal(codeOf(busy), 'network.in_use');
    assert.equal((await call('DELETE', '/networks/bridge')).status, 403);
  }));

test('GET /networks/{id} lists the running containers on it with their addresses', () =>
  withServer(async ({ call, networks, containers }) => {
    const id = (
      (
        await call('POST', '/networks/create', { Name: 'app', IPAM: { Config: [{ Subnet: '10.7.0.0/24' }] } })
      ).json() as { Id: string }
    ).Id;
    const web = containers.add('web');
    const idle = containers.add('idle');
    await networks.connect(web.id, { network: 'app', aliases: ['www'] });
    await networks.connect(idle.id, { network: 'app' });
    await networks.attach(
      { id: web.id, name: 'web', hostname: 'web', portBindings: {}, publishAll: false, exposedPorts: [] },
      { pid: 42 },
    );
    const n = (await call('GET', `/networks/${id}`)).json() as {
      Containers: Record<string, Record<string, string>>;
    };
    assert.deepEqual(Object.keys(n.Containers), [web.id]);
    const entry = n.Containers[web.id];
    assert.equal(entry?.Name, 'web');
    assert.equal(entry?.IPv4Address, '10.7.0.2/24');
    assert.equal(entry?.IPv6Address, '');
    assert.match(entry?.EndpointID ?? '', /^[0-9a-f]{64}$/);
    assert.match(entry?.MacAddress ?? '', /^02:42:0a:07:00:02$/);
    // The list leaves Containers empty, as Docker's does.
    const listed = (await call('GET', '/networks?filters={"name":["app"]}')).json() as {
      Containers: object;
    }[];
    assert.deepEqual(listed[0]?.Containers, {});
  }));

test('connect and disconnect: the runtime is used when it offers live wiring, else the network layer', () =>
  withServer(async ({ call, deps, networks, containers, events }) => {
    await call('POST', '/networks/create', { Name: 'app' });
    const web = containers.add('web');
    const ok = await call('POST', '/networks/app/connect', {
      Container: 'web',
      EndpointConfig: { Aliases: ['www'], IPAMConfig: { IPv4Address: '172.18.0.9' } },
    });
    assert.equal(ok.status, 200);
    const app = networks.get('app');
    assert.deepEqual(networks.calls.find((c) => c.verb === 'connect')?.args, [
      web.id,
      { network: app.id, aliases: ['www'], ip: '172.18.0.9' },
    ]);
    assert.deepEqual(events.history({}).at(-1)?.Actor, {
      ID: app.id,
      Attributes: { name: 'app', type: 'bridge', container: web.id },
    });
    const again = await call('POST', '/networks/app/connect', { Container: web.id });
    assert.equal(again.status, 409);
    assert.equal(codeOf(again), 'network.already_connected');
    const bridgeAlias = await call('POST', '/networks/bridge/connect', {
      Container: 'web',
      EndpointConfig: { Aliases: ['x'] },
    });
    assert.equal(bridgeAlias.status, 400);
    assert.match(
      bridgeAlias.text,
      /network-scoped alias is supported only for containers in user defined networks/,
    );
    assert.equal((await call('POST', '/networks/app/connect', {})).status, 400);
    assert.equal((await call('POST', '/networks/app/connect', { Container: 'nope' })).status, 404);

    const off = await call('POST', '/networks/app/disconnect', { Container: 'web', Force: true });
    assert.equal(off.status, 200);
    assert.deepEqual(networks.calls.at(-1)?.args, [web.id, app.id, true]);
    assert.equal(events.history({}).at(-1)?.Action, 'disconnect');
    const notOn = await call('POST', '/networks/app/disconnect', { Container: 'web' });
    assert.equal(notOn.status, 404);

    const live: { verb: string; args: unknown[] }[] = [];
    Object.assign(deps.containers, {
      connectNetwork: async (ref: string, req: EndpointRequest) =>
        void live.push({ verb: 'connect', args: [ref, req] }),
      disconnectNetwork: async (ref: string, net: string, force: boolean) =>
        void live.push({ verb: 'disconnect', args: [ref, net, force] }),
    });
    const before = networks.calls.length;
    assert.equal((await call('POST', '/networks/app/connect', { Container: 'web' })).status, 200);
    assert.equal((await call('POST', '/networks/app/disconnect', { Container: 'web' })).status, 200);
    assert.deepEqual(live, [
      { verb: 'connect', args: [web.id, { network: app.id }] },
      { verb: 'disconnect', args: [web.id, app.id, false] },
    ]);
    assert.equal(networks.calls.length, before);
  }));

test('a full database for the event history does not turn a done create, connect or removal into an error', async () => {
  const db = new Database(':memory:');
  await withServer(async ({ call, networks, containers, events }) => {
    // SQLite answers "database or disk is full" from now on, as on a full data root: no new pages,
    // and the ones there filled with tiny events.
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    const filler = db.prepare("INSERT INTO events (time_nano, event) VALUES (0, '')");
    assert.throws(() => {
      for (;;) filler.run();
    }, /full/);
    const seen: string[] = [];
    const stop = events.subscribe((e) => seen.push(e.Action));
    containers.add('web');
    const created = await call('POST', '/networks/create', {
      Name: 'app',
      Labels: { big: 'x'.repeat(8192) },
    });
    assert.equal(created.status, 201, created.text);
    assert.equal(networks.get('app').name, 'app');
    assert.equal((await call('POST', '/networks/app/connect', { Container: 'web' })).status, 200);
    assert.equal((await call('POST', '/networks/app/disconnect', { Container: 'web' })).status, 200);
    assert.equal((await call('DELETE', '/networks/app')).status, 204);
    stop();
    assert.deepEqual(seen, ['create', 'connect', 'disconnect', 'destroy'], 'live listeners still hear them');
  }, db);
});

test('POST /networks/prune removes unused custom networks and names them', () =>
  withServer(async ({ call, networks, containers, events }) => {
    await call('POST', '/networks/create', { Name: 'unused' });
    await call('POST', '/networks/create', { Name: 'used' });
    await networks.connect(containers.add('c').id, { network: 'used' });
    const res = await call('POST', '/networks/prune');
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { NetworksDeleted: ['unused'] });
    assert.deepEqual(
      networks.list().map((n) => n.name),
      ['bridge', 'used'],
    );
    assert.equal(events.history({}).at(-1)?.Actor.Attributes.name, 'unused');
  }));

test('without a network layer there are no networks, and changes answer 501', async () => {
  const { deps } = fakeDeps();
  const server = createApiServer(deps);
  const socket = tempSocket();
  await listenUnix(server, socket);
  try {
    const names = ((await request(socket, 'GET', '/networks')).json() as { Name: string }[]).map(
      (n) => n.Name,
    );
    assert.deepEqual(names, ['host', 'none']);
    assert.equal((await request(socket, 'GET', '/networks/bridge')).status, 404);
    assert.equal((await request(socket, 'POST', '/networks/create', '{"Name":"x"}')).status, 501);
  } finally {
    await closeServer(server);
  }
});
