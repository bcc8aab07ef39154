import { createLogger, httpStatus, isNoSpace, isPolisError, noSpace, PolisError } from '@polis/core';

const log = createLogger('api');

export interface ErrorReply {
  status: number;
  body: { message: string; code: string };
}

/** The one mapping from a thrown value to a response: the error's kind picks the status (core's table). */
export function errorReply(thrown: unknown): ErrorReply {
  // A full data root is a 507 whichever layer met it (SQLite, a write), not that layer's 500.
  const err = isNoSpace(thrown) ? noSpace(thrown) : thrown;
  if (isPolisError(err)) {
    const status = httpStatus[err.kind];
    if (err.kind === 'internal' || err.kind === 'insufficient_storage')
      log.error('request failed', { code: err.code, error: err, context: err.context });
    return { status, body: { message: err.message, code: err.code } };
  }
  log.error('unexpected error', { error: err, stack: err instanceof Error ? err.stack : undefined });
  const message = err instanceof Error ? err.message : String(err);
  return { status: 500, body: { message, code: 'internal' } };
}

export function invalid(message: string, context?: Record<string, unknown>): PolisError {
  return new PolisError('request.invalid', message, context ? { context } : {});
}
