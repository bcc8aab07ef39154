import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeNetworkDeps } from '../testing/fakes.js';
import { networkView } from './container-network.js';
import { containerInspect } from './container-inspect.js';
import { containerSummary } from './container-summary.js';
import { specFromCreateBody } from './create-body.js';

/** A running container `web` on the default bridge and on `app`, 80 published, 443 exposed only. */
async function runningWeb() {
  const { containers, networks } = fakeNetworkDeps();
  await networks.create({ name: 'app', subnet: '10.5.0.0/24' });
  const web = containers.add('web', (r) => {
    r.spec.network.mode = 'bridge';
    r.spec.network.portBindings = { '80/tcp': [{ hostIp: '', hostPort: '8080' }] };
    r.spec.basic.exposedPorts = ['443/tcp'];
    r.state = { ...r.state, status: 'running', pid: 4242 };
  });
  await networks.connect(web.id, { network: 'bridge' });
  await networks.connect(web.id, {
    network: 'app',
    aliases: ['web', 'www', web.id.slice(0, 12)],
    ip: '10.5.0.9',
  });
  const info = {
    id: web.id,
    name: 'web',
    hostname: 'web',
    portBindings: {},
    publishAll: false,
    exposedPorts: [],
  };
  await networks.attach(info, { pid: 4242 });
  networks.ports.set(web.id, [{ protocol: 'tcp', containerPort: 80, hostIp: '', hostPort: 8080 }]);
  return { web, networks };
}

test('inspect NetworkSettings: ports, the bridge endpoint at the top level, every network by name', async () => {
  const { web, networks } = await runningWeb();
  const inspected = containerInspect(
    web,
    { ExposedPorts: { '8000-8001/udp': {} } },
    networkView(networks, web),
  );
  const settings = inspected.NetworkSettings as Record<string, unknown>;
  assert.deepEqual(settings.Ports, {
    '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }],
    '443/tcp': null,
    '8000/udp': null,
    '8001/udp': null,
  });
  assert.equal(settings.SandboxKey, '/proc/4242/ns/net');
  assert.equal(settings.IPAddress, '172.17.0.2');
  assert.equal(settings.IPPrefixLen, 16);
  assert.equal(settings.Gateway, '172.17.0.1');
  assert.equal(settings.MacAddress, '02:42:ac:11:00:02');
  assert.match(settings.EndpointID as string, /^[0-9a-f]{64}$/);
  const nets = settings.Networks as Record<string, Record<string, unknown>>;
  assert.deepEqual(Object.keys(nets), ['bridge', 'app']);
  assert.equal(nets.bridge?.Aliases, null);
  assert.deepEqual(nets.app, {
    IPAMConfig: { IPv4Address: '10.5.0.9' },
    Links: null,
    Aliases: ['www', web.id.slice(0, 12)],
    NetworkID: networks.get('app').id,
    EndpointID: nets.app?.EndpointID,
    Gateway: '10.5.0.1',
    IPAddress: '10.5.0.9',
    IPPrefixLen: 24,
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    MacAddress: '02:42:0a:05:00:09',
    DriverOpts: null,
  });
  assert.notEqual(nets.app?.EndpointID, settings.EndpointID);
});

test('a stopped container shows its networks without addresses and no ports', async () => {
  const { web, networks } = await runningWeb();
  await networks.detach(web.id);
  web.state = { ...web.state, status: 'exited', pid: 0 };
  const settings = containerInspect(web, undefined, networkView(networks, web)).NetworkSettings as Record<
    string,
    unknown
  >;
  assert.deepEqual(settings.Ports, {});
  assert.equal(settings.SandboxKey, '');
  assert.equal(settings.IPAddress, '');
  const app = (settings.Networks as Record<string, Record<string, unknown>>).app;
  assert.equal(app?.NetworkID, networks.get('app').id);
  assert.equal(app?.EndpointID, '');
  assert.equal(app?.IPAddress, '');
  assert.equal(app?.Gateway, '');
});

test('list: Ports with and without a host side, networks by name', async () => {
  const { web, networks } = await runningWeb();
  const summary = containerSummary(web, undefined, Date.now(), networkView(networks, web));
  assert.deepEqual(summary.Ports, [
    { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
    { PrivatePort: 443, Type: 'tcp' },
  ]);
  assert.deepEqual(Object.keys((summary.NetworkSettings as { Networks: object }).Networks), [
    'bridge',
    'app',
  ]);
  assert.deepEqual(summary.HostConfig, { NetworkMode: 'bridge' });
});

test('create: EndpointsConfig becomes endpoint requests; aliases and fixed IPs only on user networks', () => {
  const spec = specFromCreateBody({
    Image: 'busybox',
    HostConfig: { NetworkMode: 'app', Dns: ['1.1.1.1'], ExtraHosts: ['db:10.0.0.5'], PublishAllPorts: true },
    NetworkingConfig: {
      EndpointsConfig: { app: { Aliases: ['www'], IPAMConfig: { IPv4Address: '10.5.0.9' } } },
    },
  });
  assert.equal(spec.network.mode, 'app');
  assert.deepEqual(spec.network.endpoints, [{ network: 'app', aliases: ['www'], ip: '10.5.0.9' }]);
  assert.deepEqual(spec.network.dns, ['1.1.1.1']);
  assert.deepEqual(spec.network.extraHosts, ['db:10.0.0.5']);
  assert.equal(spec.network.publishAll, true);
  // An endpoint with neither keeps no empty fields; no EndpointsConfig leaves endpoints out.
  const plain = specFromCreateBody({ Image: 'busybox', NetworkingConfig: { EndpointsConfig: { app: {} } } });
  assert.deepEqual(plain.network.endpoints, [{ network: 'app' }]);
  assert.equal(specFromCreateBody({ Image: 'busybox' }).network.endpoints, undefined);

  const refuse = (endpoint: object, network = 'bridge'): RegExp | string => {
    try {
      specFromCreateBody({
        Image: 'busybox',
        NetworkingConfig: { EndpointsConfig: { [network]: endpoint } },
      });
    } catch (err) {
      return (err as Error).message;
    }
    return 'accepted';
  };
  assert.match(String(refuse({ Aliases: ['x'] })), /network-scoped alias is supported only/);
  assert.match(String(refuse({ IPAMConfig: { IPv4Address: '172.17.0.9' } })), /user specified IP address/);
  assert.match(
    String(refuse({ IPAMConfig: { IPv4Address: '10.5.0' } }, 'app')),
    /invalid IPv4 address: 10\.5\.0/,
  );
});
