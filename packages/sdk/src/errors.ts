import { isErrorCode, kindFromStatus, PolisError } from '@polis/core/errors';
import type { ErrorCode, ErrorKind } from '@polis/core/errors';

/** The generic code per kind, for a peer's error that carries no Polis code. */
const CODE_OF_KIND: Record<ErrorKind, ErrorCode> = {
  invalid_argument: 'request.invalid',
  not_found: 'request.not_found',
  conflict: 'request.conflict',
  failed_precondition: 'request.failed_precondition',
  unauthorized: 'request.unauthorized',
  forbidden: 'request.forbidden',
  unavailable: 'request.unavailable',
  not_implemented: 'request.not_implemented',
  not_modified: 'request.not_modified',
  insufficient_storage: 'no_space',
  internal: 'request.failed',
};

/**
 * Rebuilds the daemon's error: from its Polis code when it sent one, otherwise from the HTTP status.
 * `context.status` marks the error as the daemon's answer (the CLI words it "Error response from daemon").
 */
export function errorFromResponse(status: number, body: string, path: string): PolisError {
  let message = body.trim();
  let code: string | undefined;
  try {
    const parsed = JSON.parse(body) as { message?: unknown; code?: unknown };
    if (typeof parsed.message === 'string') message = parsed.message;
    if (typeof parsed.code === 'string') code = parsed.code;
  } catch {
    // Not JSON: the body text is the message.
  }
  if (message === '') message = `request failed with status code ${status}`;
  const resolved = code !== undefined && isErrorCode(code) ? code : CODE_OF_KIND[kindFromStatus(status)];
  return new PolisError(resolved, message, { context: { status, path } });
}

/**
 * An error line of a JSON-lines progress stream (`{"error": …, "errorDetail": {…}}`), sent after the
 * 200: `context.inBand` marks it (docker prints such an error as it is, without "Error response").
 */
export function errorFromProgress(message: string, code: unknown, path: string): PolisError {
  const resolved = typeof code === 'string' && isErrorCode(code) ? code : 'request.failed';
  return new PolisError(resolved, message, { context: { status: 200, path, inBand: true } });
}

const UNREACHABLE = new Set([
  'ENOENT',
  'ECONNREFUSED',
  'ENOTSOCK',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
]);

/** A socket-level failure: the daemon could not be reached (or the connection broke). */
export function connectionError(err: unknown, host: string): PolisError {
  const errno = (err as NodeJS.ErrnoException | undefined)?.code;
  if (errno !== undefined && UNREACHABLE.has(errno)) {
    return new PolisError(
      'daemon.unreachable',
      `Cannot connect to the Polis daemon at ${host}. Is polisd running?`,
      {
        cause: err,
        context: { host },
      },
    );
  }
  if (errno === 'EACCES') {
    return new PolisError(
      'daemon.unreachable',
      `permission denied while trying to connect to the Polis daemon socket at ${host}`,
      { cause: err, context: { host } },
    );
  }
  const text = err instanceof Error ? err.message : String(err);
  return new PolisError('request.failed', `error during connect to ${host}: ${text}`, {
    cause: err,
    context: { host },
  });
}
