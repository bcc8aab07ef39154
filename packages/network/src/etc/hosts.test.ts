import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPolisError } from '@polis/core';
import { hostsFile } from './hosts.js';

const LOCALHOST =
  '127.0.0.1\tlocalhost\n' +
  '::1\tlocalhost ip6-localhost ip6-loopback\n' +
  'fe00::0\tip6-localnet\n' +
  'ff00::0\tip6-mcastprefix\n' +
  'ff02::1\tip6-allnodes\n' +
  'ff02::2\tip6-allrouters\n';

test('default bridge: localhost block then the address with the hostname, as docker', () => {
  const text = hostsFile({
    hostname: '0123456789ab',
    addresses: [{ ip: '172.17.0.2', names: [] }],
    extraHosts: [],
  });
  assert.equal(text, LOCALHOST + '172.17.0.2\t0123456789ab\n');
});

test('domain name, names per address (deduplicated) and several endpoints', () => {
  const text = hostsFile({
    hostname: 'web',
    domainname: 'example.org',
    addresses: [
      { ip: '172.18.0.2', names: ['web', 'frontend'] },
      { ip: '172.19.0.5', names: [] },
    ],
    extraHosts: [],
  });
  assert.equal(
    text,
    LOCALHOST + '172.18.0.2\tweb.example.org web frontend\n172.19.0.5\tweb.example.org web\n',
  );
});

test('--add-host entries come before the container line; host-gateway and IPv6 forms', () => {
  const text = hostsFile({
    hostname: 'c1',
    addresses: [{ ip: '172.18.0.2', names: [] }],
    extraHosts: ['db:10.0.0.5', 'gw:host-gateway', 'six:::1', 'seven=[fd00::7]'],
    hostGateway: '172.18.0.1',
  });
  assert.equal(text, LOCALHOST + '10.0.0.5\tdb\n172.18.0.1\tgw\n::1\tsix\nfd00::7\tseven\n172.18.0.2\tc1\n');
});

test('no network: only localhost and extra hosts', () => {
  assert.equal(
    hostsFile({ hostname: 'c1', addresses: [], extraHosts: ['a:1.2.3.4'] }),
    LOCALHOST + '1.2.3.4\ta\n',
  );
});

test('bad --add-host values and an underivable host-gateway are network.invalid', () => {
  for (const entry of ['nocolon', ':1.2.3.4', 'x:notanip', 'gw:host-gateway']) {
    assert.throws(
      () => hostsFile({ hostname: 'c1', addresses: [], extraHosts: [entry] }),
      (err: unknown) => isPolisError(err, 'network.invalid'),
      entry,
    );
  }
});
