import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '@polis/core';
import { DAEMON_JSON_KEYS } from './config-file.js';
import { USAGE, parseFlags } from './flags.js';

async function withFile(content: string, fn: (path: string) => void): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'polis-flags-'));
  try {
    const path = join(dir, 'daemon.json');
    await writeFile(path, content);
    fn(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function config(argv: string[]) {
  const r = parseFlags(argv);
  assert.equal(r.kind, 'run');
  return r.kind === 'run' ? r.config : undefined;
}

test('registry flags', () => {
  const c = config(['--insecure-registry', 'reg.local:5000', '--registry-mirror', 'https://mirror.example']);
  assert.deepEqual(c?.insecureRegistries, ['reg.local:5000']);
  assert.deepEqual(c?.registryMirrors, ['https://mirror.example']);
  assert.throws(() => parseFlags(['--registry-mirror', 'ftp://x']), /invalid --registry-mirror/);
});

test('daemon.json gives defaults, flags win, lists merge', () =>
  withFile(
    JSON.stringify({
      'data-root': '/srv/polis',
      'insecure-registries': ['a:5000'],
      'registry-mirrors': ['https://m.example'],
      'log-opts': { 'max-size': '1m', 'max-file': '3' },
    }),
    (path) => {
      const c = config(['--config-file', path, '--insecure-registry', 'b:5000', '--log-opt', 'max-file=4']);
      assert.equal(c?.dataRoot, '/srv/polis');
      assert.deepEqual(c?.insecureRegistries, ['a:5000', 'b:5000']);
      assert.deepEqual(c?.registryMirrors, ['https://m.example']);
      assert.equal(c?.logMaxSize, 1024 * 1024);
      assert.equal(c?.logMaxFiles, 4);
      assert.equal(config(['--config-file', path, '--data-root', '/x'])?.dataRoot, '/x');
    },
  ));

test('a bad daemon.json is a clear error; a missing explicit one too', async () => {
  await withFile('{"insecure-registry": ["typo"]}', (path) =>
    assert.throws(() => parseFlags(['--config-file', path]), /unknown or invalid key "insecure-registry"/),
  );
  await withFile('{nope', (path) => assert.throws(() => parseFlags(['--config-file', path]), /not JSON/));
  assert.throws(
    () => parseFlags(['--config-file', '/nonexistent/daemon.json']),
    /cannot read the config file/,
  );
});

test('sizes read as docker reads them, the same in flags, --log-opt and daemon.json', () =>
  withFile(JSON.stringify({ 'log-opts': { 'max-size': '1.5m' } }), (path) => {
    assert.equal(config(['--config-file', path])?.logMaxSize, 1.5 * 1024 ** 2);
    assert.equal(config(['--log-max-size', '2GiB'])?.logMaxSize, 2 * 1024 ** 3);
    assert.equal(config(['--log-opt', 'max-size=1t'])?.logMaxSize, 1024 ** 4);
    assert.throws(() => parseFlags(['--log-max-size', '10x']), /invalid size: '10x'/);
  }));

test('--default-address-pool and daemon.json default-address-pools: flags win, bad pools refused', () =>
  withFile(JSON.stringify({ 'default-address-pools': [{ base: '10.40.0.0/16', size: 24 }] }), (path) => {
    assert.deepEqual(config(['--config-file', path])?.defaultAddressPools, [
      { base: '10.40.0.0/16', size: 24 },
    ]);
    assert.deepEqual(
      config(['--config-file', path, '--default-address-pool', 'base=10.50.0.0/20,size=26'])
        ?.defaultAddressPools,
      [{ base: '10.50.0.0/20', size: 26 }],
    );
    assert.equal(config([])?.defaultAddressPools, undefined);
    assert.throws(() => parseFlags(['--default-address-pool', '10.0.0.0/8']), /use base=CIDR,size=N/);
  }));

test('the default socket lies in the exec root given; the usage names every daemon.json key', () => {
  assert.deepEqual(config(['--exec-root', '/run/p2'])?.hosts, ['unix:///run/p2/polis.sock']);
  assert.deepEqual(defaultConfig({ execRoot: '/run/p3' }).hosts, ['unix:///run/p3/polis.sock']);
  const fileHelp = USAGE.slice(USAGE.indexOf('--config-file'), USAGE.indexOf('--help'));
  for (const key of DAEMON_JSON_KEYS) assert.match(fileHelp, new RegExp(`[ (]${key}[,)]`), `names ${key}`);
});

test('remote access: -G, --tlsverify with its files, read-only clients, and the TCP policy at parse time', () =>
  withFile(
    JSON.stringify({
      group: 'ops',
      tlsverify: true,
      tlscacert: '/c/ca.pem',
      'readonly-clients': ['auditor'],
    }),
    (path) => {
      const c = config([
        '--config-file',
        path,
        '-H',
        'unix:///run/p.sock',
        '-H',
        'tcp://0.0.0.0:2376',
        '--tlscert',
        '/c/cert.pem',
        '--tlskey',
        '/c/key.pem',
        '--readonly-client',
        'CN=viewer',
      ]);
      assert.equal(c?.socketGroup, 'ops');
      assert.deepEqual(c?.tls, { caFile: '/c/ca.pem', certFile: '/c/cert.pem', keyFile: '/c/key.pem' });
      assert.deepEqual(c?.readonlyClients, ['auditor', 'CN=viewer']);
      assert.deepEqual(c?.hosts, ['unix:///run/p.sock', 'tcp://0.0.0.0:2376']);
      assert.equal(config(['-G', ''])?.socketGroup, '');
      assert.equal(config([])?.socketGroup, 'polis');
      assert.throws(() => parseFlags(['--tlsverify', '--tlscacert', '/c/ca.pem']), /--tlsverify needs/);
      assert.throws(() => parseFlags(['--tls', '-H', 'tcp://0.0.0.0:2376']), /add --tlsverify/);
      assert.throws(() => parseFlags(['--tlscert', '/c/cert.pem']), /add --tlsverify/);
      assert.throws(() => parseFlags(['-H', 'tcp://0.0.0.0:2375']), /without TLS/);
      assert.throws(() => parseFlags(['-H', 'tcp://127.0.0.1:2375']), /--insecure-tcp-loopback/);
      assert.equal(
        config(['-H', 'tcp://127.0.0.1:2375', '--insecure-tcp-loopback'])?.insecureTcpLoopback,
        true,
      );
    },
  ));

test('--exec-opt native.cgroupdriver (flag or daemon.json exec-opts), others refused', async () => {
  assert.equal(config([])?.cgroupDriver, undefined);
  assert.equal(config(['--exec-opt', 'native.cgroupdriver=systemd'])?.cgroupDriver, 'systemd');
  assert.throws(
    () => parseFlags(['--exec-opt', 'native.cgroupdriver=lxc']),
    /native.cgroupdriver option lxc/,
  );
  assert.throws(() => parseFlags(['--exec-opt', 'other=1']), /only native.cgroupdriver is known/);
  await withFile(JSON.stringify({ 'exec-opts': ['native.cgroupdriver=systemd'] }), (path) => {
    assert.equal(config(['--config-file', path])?.cgroupDriver, 'systemd');
    assert.equal(
      config(['--config-file', path, '--exec-opt', 'native.cgroupdriver=cgroupfs'])?.cgroupDriver,
      'cgroupfs',
    );
  });
});

test('--userns-remap, from the flag or daemon.json (the flag wins); malformed values refused', async () => {
  assert.equal(config([])?.usernsRemap, undefined);
  assert.equal(config(['--userns-remap', 'default'])?.usernsRemap, 'default');
  assert.equal(config(['--userns-remap', 'alice:staff'])?.usernsRemap, 'alice:staff');
  assert.throws(() => parseFlags(['--userns-remap', 'a:b:c']), /invalid --userns-remap/);
  await withFile('{"userns-remap": "bob"}', (path) => {
    assert.equal(config(['--config-file', path])?.usernsRemap, 'bob');
    assert.equal(config(['--config-file', path, '--userns-remap', 'default'])?.usernsRemap, 'default');
  });
  assert.ok(DAEMON_JSON_KEYS.includes('userns-remap'));
  assert.match(USAGE, /--userns-remap/);
});

test('--metrics-addr: loopback only, with a port', () => {
  assert.deepEqual(config(['--metrics-addr', '127.0.0.1:9323'])?.metricsAddr, {
    address: '127.0.0.1',
    port: 9323,
  });
  assert.deepEqual(config(['--metrics-addr', '[::1]:9323'])?.metricsAddr, { address: '::1', port: 9323 });
  assert.equal(config([])?.metricsAddr, undefined);
  for (const bad of ['0.0.0.0:9323', '10.0.0.1:9323', 'localhost:9323']) {
    assert.throws(() => parseFlags(['--metrics-addr', bad]), /loopback address only/, bad);
  }
  for (const bad of ['127.0.0.1', '127.0.0.1:0', '127.0.0.1:70000', ':9323']) {
    assert.throws(() => parseFlags(['--metrics-addr', bad]), /use 127\.0\.0\.1:PORT/, bad);
  }
});

test("daemon.json's alerts are handed on as written; a non-list is refused", async () => {
  const rules = [{ name: 'oom', on: 'oom', webhook: 'http://127.0.0.1:9/h', secret: 's' }];
  await withFile(JSON.stringify({ alerts: rules }), (path) => {
    assert.deepEqual(config(['--config-file', path])?.alerts, rules);
  });
  await withFile(JSON.stringify({ alerts: { name: 'x' } }), (path) => {
    assert.throws(() => parseFlags(['--config-file', path]), /invalid key "alerts"/);
  });
});

test('--dashboard-addr: loopback only, with a port, named in the error', () => {
  assert.deepEqual(config(['--dashboard-addr', '127.0.0.1:8090'])?.dashboardAddr, {
    address: '127.0.0.1',
    port: 8090,
  });
  assert.equal(config([])?.dashboardAddr, undefined);
  assert.throws(
    () => parseFlags(['--dashboard-addr', '0.0.0.0:8090']),
    /--dashboard-addr .*loopback address only/,
  );
  assert.throws(() => parseFlags(['--dashboard-addr', '8090']), /invalid --dashboard-addr/);
});

test('--cri-socket: the CRI socket, unix:// optional; none turns the CRI off; default under the exec root', async () => {
  const { criSocketPath } = await import('./cri.js');
  assert.equal(criSocketPath(config(['--cri-socket', 'unix:///tmp/k.sock'])!), '/tmp/k.sock');
  assert.equal(criSocketPath(config(['--cri-socket', '/tmp/k.sock'])!), '/tmp/k.sock');
  assert.equal(criSocketPath(config(['--cri-socket', 'none'])!), undefined);
  assert.equal(criSocketPath(config(['--exec-root', '/run/x'])!), '/run/x/cri.sock');
  assert.equal(criSocketPath(config([])!), '/run/polis/cri.sock');
});
