import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { PolisError } from '@polis/core/errors';
import { errorFromGrpc } from './grpc.js';
import { PushQueue } from './queue.js';

function serviceError(code: number, details: string, polisCode?: string): ServiceError {
  const metadata = new Metadata();
  if (polisCode) metadata.set('polis-error-code', polisCode);
  return Object.assign(new Error(details), { code, details, metadata });
}

describe('errorFromGrpc', () => {
  it('rebuilds the daemon error from the polis-error-code trailer', () => {
    const err = errorFromGrpc(serviceError(status.NOT_FOUND, 'No such container: x', 'container.not_found'));
    assert.ok(err instanceof PolisError);
    assert.equal(err.code, 'container.not_found');
    assert.equal(err.kind, 'not_found');
    assert.equal(err.message, 'No such container: x');
    assert.equal(err.context?.grpcStatus, status.NOT_FOUND);
  });

  it('falls back to a generic code of the status kind for a peer without a Polis code (or an unknown one)', () => {
    assert.equal(errorFromGrpc(serviceError(status.UNAVAILABLE, 'down')).code, 'daemon.unreachable');
    assert.equal(
      errorFromGrpc(serviceError(status.PERMISSION_DENIED, 'no', 'not.a_code')).code,
      'request.forbidden',
    );
    assert.equal(errorFromGrpc(serviceError(status.DATA_LOSS, '?')).code, 'request.failed');
  });
});

describe('PushQueue', () => {
  it('yields in order, ends, and rethrows a failure after what was queued', async () => {
    const q = new PushQueue<number>();
    q.push(1);
    setImmediate(() => {
      q.push(2);
      q.fail(new Error('broken'));
    });
    const got: number[] = [];
    await assert.rejects(
      (async () => {
        for await (const n of q) got.push(n);
      })(),
      /broken/,
    );
    assert.deepEqual(got, [1, 2]);
  });
});
