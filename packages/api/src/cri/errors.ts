import * as grpc from '@grpc/grpc-js';
import { PolisError, grpcStatus, kindOf, toPolisError } from '@polis/core';

/** A Polis error as a gRPC status through core's one table (`errorStatus`); the code rides in metadata. */
export function grpcError(err: unknown): Partial<grpc.StatusObject> {
  if (err instanceof GrpcStatusError) return { code: err.grpcCode as grpc.status, details: err.message };
  const e = toPolisError(err);
  const metadata = new grpc.Metadata();
  metadata.set('polis-code', e.code);
  return { code: grpcStatus[kindOf(e.code)] as grpc.status, details: e.message, metadata };
}

/** The CRI's "no such sandbox/container": NOT_FOUND, as kubelet expects for an unknown id. */
export function notFound(what: string, id: string): PolisError {
  return new PolisError('container.not_found', `${what} ${JSON.stringify(id)} not found`, {
    context: { id },
  });
}

export function invalid(message: string): PolisError {
  return new PolisError('request.invalid', message);
}

/** A gRPC status with no Polis kind (DEADLINE_EXCEEDED for an ExecSync past its timeout). */
export class GrpcStatusError extends Error {
  constructor(
    readonly grpcCode: number,
    message: string,
  ) {
    super(message);
  }
}
