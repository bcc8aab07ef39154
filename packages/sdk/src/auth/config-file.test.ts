import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configPath, DOCKER_HUB_SERVER, DockerConfigFile, serverKey, serverOfImage } from './config-file.js';

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'polis-config-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the file is $DOCKER_CONFIG/config.json, else ~/.docker/config.json', () => {
  assert.equal(configPath({ DOCKER_CONFIG: '/etc/dc', HOME: '/home/x' }), '/etc/dc/config.json');
  assert.equal(configPath({ HOME: '/home/x' }), '/home/x/.docker/config.json');
});

test('Docker Hub has one key whatever its spelling; other servers are keyed by host', () => {
  for (const s of [
    'docker.io',
    'index.docker.io',
    'https://index.docker.io/v1/',
    'registry-1.docker.io',
    '',
  ]) {
    assert.equal(serverKey(s), DOCKER_HUB_SERVER, s);
  }
  assert.equal(serverKey('https://localhost:5000/v2/'), 'localhost:5000');
  assert.equal(serverOfImage('busybox'), DOCKER_HUB_SERVER);
  assert.equal(serverOfImage('localhost:5000/app:1'), 'localhost:5000');
});

test('login then logout: mode 0600, other entries and keys intact', () => {
  withDir((dir) => {
    const path = join(dir, 'config.json');
    const other = { auth: Buffer.from('bob:secret').toString('base64') };
    writeFileSync(
      path,
      JSON.stringify({ auths: { 'ghcr.io': other }, credsStore: 'desktop', detachKeys: 'ctrl-x' }),
      { mode: 0o644 },
    );
    const file = new DockerConfigFile(path);
    assert.equal(file.store('localhost:5000', { username: 'me', password: 'p:w' }), 'localhost:5000');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const raw = JSON.parse(readFileSync(path, 'utf8'));
    assert.deepEqual(raw.auths['localhost:5000'], { auth: Buffer.from('me:p:w').toString('base64') });
    assert.deepEqual(raw.auths['ghcr.io'], other);
    assert.equal(raw.credsStore, 'desktop');
    assert.equal(raw.detachKeys, 'ctrl-x');
    assert.deepEqual(file.credentials('https://localhost:5000'), {
      serveraddress: 'localhost:5000',
      username: 'me',
      password: 'p:w',
    });
    assert.deepEqual(file.credentialsForImage('localhost:5000/app'), file.credentials('localhost:5000'));
    assert.equal(file.helperFor('localhost:5000'), 'desktop');

    assert.deepEqual(file.remove('localhost:5000'), ['localhost:5000']);
    assert.deepEqual(file.remove('localhost:5000'), []);
    const after = JSON.parse(readFileSync(path, 'utf8'));
    assert.deepEqual(after, { auths: { 'ghcr.io': other }, credsStore: 'desktop', detachKeys: 'ctrl-x' });
    assert.equal(file.credentials('localhost:5000'), undefined);
  });
});

test('Docker Hub credentials: stored under its URL, found for library images, token replaces password', () => {
  withDir((dir) => {
    const file = new DockerConfigFile(join(dir, 'sub', 'config.json'));
    assert.equal(file.credentials('docker.io'), undefined);
    file.store('docker.io', { username: 'me', password: 'pw', identitytoken: 'tok' });
    const raw = JSON.parse(readFileSync(file.path, 'utf8'));
    assert.deepEqual(Object.keys(raw.auths), [DOCKER_HUB_SERVER]);
    assert.equal(Buffer.from(raw.auths[DOCKER_HUB_SERVER].auth, 'base64').toString(), 'me:');
    assert.deepEqual(file.credentialsForImage('busybox:latest'), {
      serveraddress: DOCKER_HUB_SERVER,
      username: 'me',
      password: '',
      identitytoken: 'tok',
    });
    assert.deepEqual(file.remove('index.docker.io'), [DOCKER_HUB_SERVER]);
  });
});

test('an entry stored under another spelling of the host is found and replaced', () => {
  withDir((dir) => {
    const path = join(dir, 'config.json');
    const auth = Buffer.from('a:b').toString('base64');
    writeFileSync(path, JSON.stringify({ auths: { 'https://reg.example:443/v2/': { auth } } }));
    const file = new DockerConfigFile(path);
    assert.equal(file.credentials('reg.example:443')?.username, 'a');
    file.store('reg.example:443', { username: 'c', password: 'd' });
    assert.deepEqual(Object.keys(JSON.parse(readFileSync(path, 'utf8')).auths), ['reg.example:443']);
  });
});

test('a broken file is a clear error, an empty one is no credentials', () => {
  withDir((dir) => {
    const path = join(dir, 'config.json');
    writeFileSync(path, '');
    assert.equal(new DockerConfigFile(path).credentials('docker.io'), undefined);
    writeFileSync(path, '{nope');
    assert.throws(() => new DockerConfigFile(path).read(), /invalid JSON/);
  });
});
