import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { grpcStatus, toPolisError } from '@polis/core';
import { errorReply } from '../http/errors.js';

/** The trailing metadata key that carries Polis's stable error code. */
export const ERROR_CODE_KEY = 'polis-error-code';

/** A thrown value as a gRPC error: status from core's `errorStatus` table, the Polis code in the trailers. */
export function toServiceError(thrown: unknown): Partial<ServiceError> {
  // errorReply logs internal faults once, as the REST server does.
  errorReply(thrown);
  const err = toPolisError(thrown);
  const metadata = new Metadata();
  metadata.set(ERROR_CODE_KEY, err.code);
  // "not modified" is no failure; the one kind without a gRPC error (0) is answered as UNKNOWN here
  // only if it ever reaches a call that cannot succeed silently.
  const code = grpcStatus[err.kind] || status.UNKNOWN;
  return { code, details: err.message, metadata };
}
