import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endpointsFor, isInsecure } from './endpoints.js';

test('loopback registries are insecure by default, others only when listed', () => {
  assert.equal(isInsecure('localhost:5000', {}), true);
  assert.equal(isInsecure('127.0.0.1:5000', {}), true);
  assert.equal(isInsecure('[::1]:5000', {}), true);
  assert.equal(isInsecure('registry.example:5000', {}), false);
  assert.equal(isInsecure('registry.example:5000', { insecureRegistries: ['registry.example:5000'] }), true);
  assert.equal(isInsecure('10.1.2.3:5000', { insecureRegistries: ['10.0.0.0/8'] }), true);
  assert.equal(isInsecure('11.1.2.3:5000', { insecureRegistries: ['10.0.0.0/8'] }), false);
});

test('docker.io pulls try mirrors first, pushes go to Docker Hub', () => {
  const config = { mirrors: ['https://mirror.example'] };
  assert.deepEqual(
    endpointsFor('docker.io', config, 'pull').map((e) => e.base.host),
    ['mirror.example', 'registry-1.docker.io'],
  );
  assert.deepEqual(
    endpointsFor('docker.io', config, 'push').map((e) => e.base.host),
    ['registry-1.docker.io'],
  );
  assert.equal(endpointsFor('ghcr.io', config, 'pull')[0]?.base.href, 'https://ghcr.io/');
});
