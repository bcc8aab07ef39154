import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPolisError } from '@polis/core/errors';
import { parseHost } from './host.js';
import { resolveTls, tlsRequestOptions } from './tls.js';

test('TLS is off unless a flag or DOCKER_TLS(_VERIFY) turns it on', () => {
  assert.equal(resolveTls({}, {}), undefined);
  assert.equal(resolveTls({ tlscacert: '/x/ca.pem' }, {}), undefined);
  assert.equal(resolveTls({ tlsverify: false }, { DOCKER_TLS_VERIFY: '1' }), undefined);
});

test('the files default to DOCKER_CERT_PATH (POLIS_CERT_PATH first), leaving out the missing ones', () => {
  const dir = mkdtempSync(join(tmpdir(), 'polis-tls-'));
  try {
    writeFileSync(join(dir, 'ca.pem'), 'x');
    writeFileSync(join(dir, 'cert.pem'), 'x');
    assert.deepEqual(resolveTls({}, { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir }), {
      verify: true,
      caFile: join(dir, 'ca.pem'),
      certFile: join(dir, 'cert.pem'),
    });
    assert.deepEqual(
      resolveTls({ tls: true, tlskey: '/k.pem' }, { POLIS_CERT_PATH: dir, DOCKER_CERT_PATH: '/nowhere' }),
      { verify: false, caFile: join(dir, 'ca.pem'), certFile: join(dir, 'cert.pem'), keyFile: '/k.pem' },
    );
    assert.equal(resolveTls({ tlsverify: true }, { DOCKER_CERT_PATH: dir })?.verify, true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('unreadable files and a certificate without its key are clear errors', () => {
  assert.throws(
    () => tlsRequestOptions({ verify: true, caFile: '/nonexistent/ca.pem' }),
    (err: unknown) =>
      isPolisError(err, 'request.invalid') && /could not read CA certificate/.test(err.message),
  );
  assert.throws(() => tlsRequestOptions({ verify: true, certFile: '/c.pem' }), /needs its key/);
  assert.deepEqual(tlsRequestOptions({ verify: false }), { rejectUnauthorized: false });
});

test('a tcp:// host without a port is 2376 with TLS, 2375 without', () => {
  assert.equal(parseHost('tcp://10.0.0.1', true).port, 2376);
  assert.equal(parseHost('tcp://10.0.0.1').port, 2375);
});
