import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFlags } from './flags.js';

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
