import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { connect, type PolisApi } from '@polis/sdk';
import { makeTestPki, tlsDaemonArgs, type CertFiles, type TestPki } from '../harness/certs.js';
import { TestDaemon } from '../harness/daemon.js';

/** Two free consecutive ports: REST's, and gRPC's beside it (+1). */
async function freePair(): Promise<number> {
  const free = (port: number): Promise<boolean> =>
    new Promise((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
  for (let i = 0; i < 50; i++) {
    const port = 20000 + Math.floor(Math.random() * 40000);
    if ((await free(port)) && (await free(port + 1))) return port;
  }
  throw new Error('no two free consecutive ports');
}

/** gRPC over TCP exists only with the REST API's mutual TLS, at its port + 1, with its certificates. */
describe('gRPC over TCP with mutual TLS', () => {
  let pki: TestPki;
  let d: TestDaemon;
  let port: number;
  const clients: PolisApi[] = [];
  const grpcAs = (client: CertFiles, ca = pki.ca): PolisApi => {
    const api = connect({
      transport: 'grpc',
      address: `127.0.0.1:${port + 1}`,
      tls: { ca, cert: client.cert, key: client.key },
    });
    clients.push(api);
    return api;
  };

  before(async () => {
    pki = await makeTestPki();
    port = await freePair();
    d = await TestDaemon.start({ extraArgs: tlsDaemonArgs(pki, port) });
    await d.importBusybox();
  });

  after(async () => {
    for (const c of clients) c.close();
    await d?.cleanup();
    await pki?.cleanup();
  });

  it('a client certificate of the CA runs a container and reads its output', async () => {
    const api = grpcAs(pki.client);
    const { Id } = await api.containers.create({ Image: 'busybox', Cmd: ['echo', 'over tls'] });
    await api.containers.start(Id);
    assert.equal((await api.containers.wait(Id)).StatusCode, 0);
    let out = '';
    for await (const c of api.containers.logs(Id)) out += c.data.toString();
    assert.equal(out, 'over tls\n');
    await api.containers.remove(Id);
  });

  it('a read-only certificate reads but may not create or exec (access.read_only), as over REST', async () => {
    for (const viewer of [pki.readonly, pki.auditor]) {
      const api = grpcAs(viewer);
      assert.deepEqual(await api.containers.list({ all: true }), []);
      await assert.rejects(api.containers.create({ Image: 'busybox', Cmd: ['true'] }), {
        code: 'access.read_only',
      });
      await assert.rejects(api.volumes.create({ Name: 'nope' }), { code: 'access.read_only' });
      await assert.rejects(api.containers.exec('any', ['true']).exitCode, { code: 'access.read_only' });
    }
    assert.deepEqual(await grpcAs(pki.client).containers.list({ all: true }), [], 'nothing was created');
  });

  it('a certificate of another CA never reaches a handler', async () => {
    const api = grpcAs(pki.otherClient);
    await assert.rejects(
      api.containers.list({ signal: AbortSignal.timeout(10_000) }),
      (err: Error & { code?: string }) => {
        assert.notEqual(err.code, undefined);
        assert.notEqual(err.code, 'access.read_only');
        return true;
      },
    );
  });
});
