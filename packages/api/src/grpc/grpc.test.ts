import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import { errorStatus, PolisError } from '@polis/core';
import { buildRouter } from '../server.js';
import { fakeDeps } from '../testing/fakes.js';
import { forRole, REST_TWIN } from './access.js';
import { ERROR_CODE_KEY, toServiceError } from './errors.js';
import { polisService, type PolisServiceName } from './load.js';
import { grpcPlan } from './plan.js';
import { callRoute } from './route-call.js';

const SERVICES: PolisServiceName[] = ['Containers', 'Images', 'Networks', 'Volumes', 'System'];

describe('gRPC errors', () => {
  it('take the status from core errorStatus and carry the Polis code in the trailers', () => {
    const err = toServiceError(new PolisError('container.not_found', 'No such container: x'));
    assert.equal(err.code, status.NOT_FOUND);
    assert.equal(err.code, errorStatus.not_found.grpc);
    assert.equal(err.details, 'No such container: x');
    assert.deepEqual(err.metadata?.get(ERROR_CODE_KEY), ['container.not_found']);
    assert.equal(
      toServiceError(new PolisError('container.is_running', 'busy')).code,
      status.FAILED_PRECONDITION,
    );
    assert.equal(toServiceError(new Error('boom')).code, status.INTERNAL);
  });
});

describe('gRPC access', () => {
  it('every method of the proto has a REST twin', () => {
    for (const name of SERVICES)
      for (const method of Object.keys(polisService(name))) {
        const key = `${name}.${method}`;
        assert.ok(key in REST_TWIN, `${key} has no REST twin`);
      }
  });

  it('a read-only role keeps the reads and refuses the writes with access.read_only', () => {
    const calls: string[] = [];
    const impl = Object.fromEntries(
      Object.keys(polisService('Containers')).map((m) => [m, () => calls.push(m)]),
    );
    const ro = forRole('read-only', 'Containers', polisService('Containers'), impl);
    assert.equal(ro.Inspect, impl.Inspect);
    assert.equal(ro.Logs, impl.Logs);
    assert.notEqual(ro.Create, impl.Create);
    assert.notEqual(ro.Exec, impl.Exec);
    let refused: { code?: number; metadata?: { get(k: string): unknown[] } } | undefined;
    (ro.Create as (call: unknown, cb: (err: unknown) => void) => void)(
      {},
      (err) => (refused = err as typeof refused),
    );
    assert.equal(refused?.code, status.PERMISSION_DENIED);
    assert.deepEqual(refused?.metadata?.get(ERROR_CODE_KEY), ['access.read_only']);
    assert.deepEqual(calls, []);
    assert.equal(forRole('full', 'Containers', polisService('Containers'), impl), impl);
  });
});

describe('gRPC listeners', () => {
  const tls = { cert: 'c' };
  it('always the unix socket in the exec root; TCP only beside a mutual-TLS REST listener, port + 1', () => {
    assert.deepEqual(
      grpcPlan('/run/polis', [{ kind: 'unix', host: 'unix:///x', path: '/x' }], undefined, 5),
      {
        socketPath: '/run/polis/polis-grpc.sock',
        gid: 5,
      },
    );
    const plain = grpcPlan(
      '/r',
      [{ kind: 'tcp', host: 'tcp://127.0.0.1:2375', address: '127.0.0.1', port: 2375, tls: false }],
      undefined,
      undefined,
    );
    assert.equal(plain.tcp, undefined);
    const secure = grpcPlan(
      '/r',
      [{ kind: 'tcp', host: 'tcp://0.0.0.0:2376', address: '0.0.0.0', port: 2376, tls: true }],
      tls,
      undefined,
      ['auditor'],
    );
    assert.deepEqual(secure.tcp, { address: '0.0.0.0', port: 2377, tls, readonlyClients: ['auditor'] });
  });
});

describe('callRoute (the REST handler in-process)', () => {
  const { deps } = fakeDeps();
  const router = buildRouter(deps);
  const signal = new AbortController().signal;

  it('answers with the handler JSON body', async () => {
    const answer = await callRoute(router, { method: 'GET', path: '/version', signal });
    assert.equal(answer.status, 200);
    assert.equal((answer.body as { ApiVersion: string }).ApiVersion, '1.41');
  });

  it('rejects with the handler error as it is (sync and async throws)', async () => {
    await assert.rejects(callRoute(router, { method: 'GET', path: '/containers/nope/json', signal }), {
      code: 'container.not_found',
    });
    await assert.rejects(
      callRoute(router, { method: 'POST', path: '/containers/create', body: '{not json', signal }),
      { code: 'request.invalid_json' },
    );
    await assert.rejects(callRoute(router, { method: 'GET', path: '/nowhere', signal }), {
      code: 'request.unknown_route',
    });
  });
});
