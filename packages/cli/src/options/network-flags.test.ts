import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, type CommandSpec } from '../flags.js';
import { CONTAINER_FLAGS } from './container-flags.js';
import { buildCreateRequest } from './create-body.js';

const spec: CommandSpec = {
  name: 'run',
  usage: '',
  summary: '',
  interspersed: false,
  flags: CONTAINER_FLAGS,
};

const build = (argv: string[]) =>
  buildCreateRequest(parseArgs(spec, argv), { env: {}, readFile: () => '' }, { detach: true }).body;

test('--network, --network-alias and --ip: the endpoint goes under the network, as docker sends it', () => {
  const body = build([
    '--net',
    'app',
    '--network-alias',
    'www',
    '--network-alias',
    'w',
    '--ip',
    '10.1.0.9',
    'busybox',
  ]);
  assert.equal(body.HostConfig?.NetworkMode, 'app');
  assert.deepEqual(body.NetworkingConfig, {
    EndpointsConfig: { app: { Aliases: ['www', 'w'], IPAMConfig: { IPv4Address: '10.1.0.9' } } },
  });
  // Without --network the endpoint is the default one's (the daemon refuses aliases there).
  assert.deepEqual(build(['--network-alias', 'x', 'busybox']).NetworkingConfig, {
    EndpointsConfig: { default: { Aliases: ['x'] } },
  });
  assert.equal(build(['--network', 'app', 'busybox']).NetworkingConfig, undefined);
});

test('ports, DNS and hosts flags map to HostConfig and ExposedPorts', () => {
  const body = build([
    '-p',
    '127.0.0.1:8080:80',
    '-p',
    '53:53/udp',
    '-P',
    '--expose',
    '9000-9001',
    '--dns',
    '1.1.1.1',
    '--dns-search',
    'example.org',
    '--dns-option',
    'ndots:2',
    '--add-host',
    'db:10.0.0.5',
    '--hostname',
    'box',
    'busybox',
  ]);
  assert.deepEqual(body.HostConfig?.PortBindings, {
    '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }],
    '53/udp': [{ HostIp: '', HostPort: '53' }],
  });
  assert.deepEqual(Object.keys(body.ExposedPorts ?? {}), ['80/tcp', '53/udp', '9000/tcp', '9001/tcp']);
  assert.equal(body.HostConfig?.PublishAllPorts, true);
  assert.deepEqual(body.HostConfig?.Dns, ['1.1.1.1']);
  assert.deepEqual(body.HostConfig?.DnsSearch, ['example.org']);
  assert.deepEqual(body.HostConfig?.DnsOptions, ['ndots:2']);
  assert.deepEqual(body.HostConfig?.ExtraHosts, ['db:10.0.0.5']);
  assert.equal(body.Hostname, 'box');
});
