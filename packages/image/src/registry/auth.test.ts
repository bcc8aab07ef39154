import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseChallenges } from './auth.js';

test('WWW-Authenticate challenges parse, quoted commas included', () => {
  assert.deepEqual(
    parseChallenges(
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:a/b:pull,push"',
    ),
    [
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.docker.io/token',
          service: 'registry.docker.io',
          scope: 'repository:a/b:pull,push',
        },
      },
    ],
  );
  assert.deepEqual(parseChallenges('Basic realm="Registry Realm"'), [
    { scheme: 'basic', params: { realm: 'Registry Realm' } },
  ]);
  assert.deepEqual(
    parseChallenges(['Basic realm="a"', 'Bearer realm="b"']).map((c) => c.scheme),
    ['basic', 'bearer'],
  );
  assert.deepEqual(parseChallenges(undefined), []);
});
