import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPolisError } from '@polis/core';
import { parsePublish } from './parse.js';

test('docker -p forms map to the spec port bindings', () => {
  assert.deepEqual(parsePublish(['80']), { '80/tcp': [{ hostIp: '', hostPort: '' }] });
  assert.deepEqual(parsePublish(['8080:80']), { '80/tcp': [{ hostIp: '', hostPort: '8080' }] });
  assert.deepEqual(parsePublish(['127.0.0.1:8080:80/udp']), {
    '80/udp': [{ hostIp: '127.0.0.1', hostPort: '8080' }],
  });
  assert.deepEqual(parsePublish(['127.0.0.1::80']), { '80/tcp': [{ hostIp: '127.0.0.1', hostPort: '' }] });
  assert.deepEqual(parsePublish(['[::1]:8080:80']), { '80/tcp': [{ hostIp: '::1', hostPort: '8080' }] });
  assert.deepEqual(parsePublish(['53:53/UDP']), { '53/udp': [{ hostIp: '', hostPort: '53' }] });
});

test('ranges expand pairwise; a host range for one container port stays a range', () => {
  assert.deepEqual(parsePublish(['8000-8002:80-82']), {
    '80/tcp': [{ hostIp: '', hostPort: '8000' }],
    '81/tcp': [{ hostIp: '', hostPort: '8001' }],
    '82/tcp': [{ hostIp: '', hostPort: '8002' }],
  });
  assert.deepEqual(parsePublish(['8000-8010:80']), { '80/tcp': [{ hostIp: '', hostPort: '8000-8010' }] });
  assert.deepEqual(Object.keys(parsePublish(['80-82/udp'])), ['80/udp', '81/udp', '82/udp']);
});

test('several specs for one port add bindings', () => {
  assert.deepEqual(parsePublish(['8080:80', '127.0.0.1:9090:80']), {
    '80/tcp': [
      { hostIp: '', hostPort: '8080' },
      { hostIp: '127.0.0.1', hostPort: '9090' },
    ],
  });
});

test('the long form', () => {
  assert.deepEqual(parsePublish(['published=8080,target=80,protocol=udp']), {
    '80/udp': [{ hostIp: '', hostPort: '8080' }],
  });
  assert.deepEqual(parsePublish(['target=80,mode=host']), { '80/tcp': [{ hostIp: '', hostPort: '' }] });
  assert.deepEqual(parsePublish(['target=80,published=81,host_ip=::1']), {
    '80/tcp': [{ hostIp: '::1', hostPort: '81' }],
  });
});

test('bad input is a network.invalid error in docker words', () => {
  const cases: [string, RegExp][] = [
    ['', /^no port specified: <empty>$/],
    ['8080:', /^no port specified: <empty>$/],
    ['abc', /^invalid containerPort: abc$/],
    ['0', /^invalid containerPort: 0$/],
    ['70000:80', /^invalid hostPort: 70000$/],
    ['8080:80/xyz', /^invalid proto: xyz$/],
    ['80/sctp', /sctp ports is not supported/],
    ['1.2.3:80:80', /^invalid IP address: 1\.2\.3$/],
    ['8000-8002:80-81', /^invalid ranges specified for container and host Ports: 80-81 and 8000-8002$/],
    ['90-80', /^invalid containerPort: 90-80$/],
    ['published=8080', /missing mandatory field "target"/],
    ['target=80,bogus=1', /invalid field key bogus/],
  ];
  for (const [spec, message] of cases) {
    assert.throws(
      () => parsePublish([spec]),
      (err: unknown) => isPolisError(err, 'network.invalid') && message.test(err.message),
      spec,
    );
  }
});
