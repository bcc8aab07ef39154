import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeRegistryAuth, encodeRegistryAuth } from './registry-auth.js';

test('no credentials encode as {} (e30=), as docker sends on push', () => {
  assert.equal(encodeRegistryAuth(undefined), 'e30=');
  assert.equal(encodeRegistryAuth({ username: '', password: undefined }), 'e30=');
});

test('credentials encode as base64url JSON with padding, and decode back', () => {
  const auth = { username: 'me', password: 'p>?~~', serveraddress: 'localhost:5000' };
  const header = encodeRegistryAuth(auth);
  assert.doesNotMatch(header, /[+/]/);
  assert.equal(header.length % 4, 0);
  assert.deepEqual(JSON.parse(Buffer.from(header, 'base64url').toString()), auth);
  assert.deepEqual(decodeRegistryAuth(header), auth);
  assert.deepEqual(decodeRegistryAuth(encodeRegistryAuth({ identitytoken: 'tok' })), {
    identitytoken: 'tok',
  });
});
