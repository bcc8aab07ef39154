import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { isPolisError } from '@polis/core';
import { RepositoryClient, isTlsFailure } from './client.js';

describe('registry client over plain HTTP', () => {
  it('an insecure registry that does not speak TLS is asked again over HTTP; a secure one is not', async (t) => {
    const server = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
    t.after(() => {
      server.closeAllConnections();
      server.close();
    });
    const { port } = server.address() as AddressInfo;
    const base = new URL(`https://127.0.0.2:${port}`);
    const insecure = new RepositoryClient({ base, insecure: true, mirror: false }, 'r', undefined, 'pull');
    await insecure.ping();
    const secure = new RepositoryClient(
      { base: new URL(`https://127.0.0.2:${port}`), insecure: false, mirror: false },
      'r',
      undefined,
      'pull',
    );
    await assert.rejects(secure.ping(), (err) => isPolisError(err, 'registry.unavailable'));
  });

  it('a TLS failure is told by the error code, never by the message', () => {
    for (const code of [
      'EPROTO',
      'ECONNRESET',
      'ERR_SSL_WRONG_VERSION_NUMBER',
      'ERR_TLS_CERT_ALTNAME_INVALID',
    ])
      assert.equal(isTlsFailure(code), true, code);
    for (const code of ['ECONNREFUSED', 'ETIMEDOUT', 'ABORT_ERR', undefined])
      assert.equal(isTlsFailure(code), false);
  });
});
