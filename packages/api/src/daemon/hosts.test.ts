import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isLoopback, planListeners } from './hosts.js';

const plain = { tls: false, insecureTcpLoopback: false };

test('unix sockets are always allowed, with or without the scheme', () => {
  assert.deepEqual(planListeners(['unix:///run/a.sock', '/run/b.sock'], plain), [
    { kind: 'unix', host: 'unix:///run/a.sock', path: '/run/a.sock' },
    { kind: 'unix', host: 'unix:///run/b.sock', path: '/run/b.sock' },
  ]);
});

test('with --tlsverify any tcp:// address is served over TLS; an empty address is every interface', () => {
  const tls = { tls: true, insecureTcpLoopback: false };
  assert.deepEqual(planListeners(['tcp://0.0.0.0:2376', 'tcp://:9999', 'tcp://[::]'], tls), [
    { kind: 'tcp', host: 'tcp://0.0.0.0:2376', address: '0.0.0.0', port: 2376, tls: true },
    { kind: 'tcp', host: 'tcp://:9999', address: '0.0.0.0', port: 9999, tls: true },
    { kind: 'tcp', host: 'tcp://[::]', address: '::', port: 2376, tls: true },
  ]);
});

test('plain TCP off loopback is refused, even with --insecure-tcp-loopback', () => {
  for (const host of ['tcp://0.0.0.0:2375', 'tcp://10.1.2.3:2375', 'tcp://localhost:2375', 'tcp://:2375']) {
    assert.throws(
      () => planListeners([host], { tls: false, insecureTcpLoopback: true }),
      /refusing to serve the API on .* without TLS.*--tlsverify/,
      host,
    );
  }
});

test('plain TCP on loopback needs --insecure-tcp-loopback', () => {
  assert.throws(() => planListeners(['tcp://127.0.0.1:2375'], plain), /--insecure-tcp-loopback to allow it/);
  assert.deepEqual(
    planListeners(['tcp://127.0.0.1:2375', 'tcp://[::1]:5'], { ...plain, insecureTcpLoopback: true }),
    [
      { kind: 'tcp', host: 'tcp://127.0.0.1:2375', address: '127.0.0.1', port: 2375, tls: false },
      { kind: 'tcp', host: 'tcp://[::1]:5', address: '::1', port: 5, tls: false },
    ],
  );
});

test('other schemes and malformed addresses are clear errors', () => {
  assert.throws(() => planListeners(['fd://3'], plain), /unsupported host "fd:\/\/3"/);
  assert.throws(() => planListeners(['ssh://h'], plain), /unsupported host "ssh:\/\/h"/);
  assert.throws(() => planListeners(['tcp://127.0.0.1:99999'], plain), /invalid host/);
  assert.throws(() => planListeners(['tcp://127.0.0.1:80/x'], plain), /invalid host/);
});

test('fd:// is the sockets systemd passes (socket activation)', () => {
  assert.deepEqual(planListeners(['fd://'], plain), [{ kind: 'fd', host: 'fd://' }]);
});

test('loopback means a literal 127/8 or ::1 address', () => {
  assert.ok(isLoopback('127.0.0.1') && isLoopback('127.8.9.10') && isLoopback('::1'));
  assert.ok(
    !isLoopback('localhost') && !isLoopback('0.0.0.0') && !isLoopback('::') && !isLoopback('128.0.0.1'),
  );
});
