/**
 * The error catalogue. Every failure that crosses a package boundary is a PolisError with a stable
 * code; the code decides the kind, and the kind alone decides the HTTP status (see `httpStatus`).
 * Callers branch on `code`, never on the message.
 */
export type ErrorKind =
  | 'invalid_argument'
  | 'not_found'
  | 'conflict'
  | 'failed_precondition'
  | 'unauthorized'
  | 'forbidden'
  | 'unavailable'
  | 'not_implemented'
  | 'not_modified'
  | 'insufficient_storage'
  | 'internal';

const catalogue = {
  'request.invalid': 'invalid_argument',
  'request.invalid_json': 'invalid_argument',
  'request.unknown_route': 'not_found',
  'request.not_implemented': 'not_implemented',
  // Generic codes, one per kind, for a peer's error that carries no Polis code (rebuilt from the status).
  'request.failed': 'internal',
  'request.not_found': 'not_found',
  'request.conflict': 'conflict',
  'request.failed_precondition': 'failed_precondition',
  'request.unauthorized': 'unauthorized',
  'request.forbidden': 'forbidden',
  'request.unavailable': 'unavailable',
  'request.not_modified': 'not_modified',
  // The client could not reach the daemon's socket at all.
  'daemon.unreachable': 'unavailable',
  'container.not_found': 'not_found',
  'container.ambiguous': 'invalid_argument',
  'container.name_invalid': 'invalid_argument',
  'container.name_in_use': 'conflict',
  'container.not_running': 'conflict',
  'container.is_running': 'conflict',
  'container.is_paused': 'conflict',
  'container.not_paused': 'conflict',
  'container.already_started': 'not_modified',
  'container.already_stopped': 'not_modified',
  'container.removal_in_progress': 'conflict',
  'container.start_failed': 'internal',
  'container.command_not_found': 'invalid_argument',
  'container.command_not_executable': 'invalid_argument',
  // Copy in and out (`/containers/{id}/archive`): a path missing in the container, an extraction point
  // that is not a directory, a read-only root, and an archive entry that would leave its directory.
  'archive.path_not_found': 'not_found',
  'archive.not_a_directory': 'invalid_argument',
  'archive.read_only': 'forbidden',
  'archive.invalid': 'invalid_argument',
  'image.not_found': 'not_found',
  'image.ambiguous': 'conflict',
  'image.in_use': 'conflict',
  'image.reference_invalid': 'invalid_argument',
  'image.layer_invalid': 'invalid_argument',
  'image.digest_mismatch': 'invalid_argument',
  'image.multiple_tags': 'conflict',
  'image.change_invalid': 'invalid_argument',
  // A docker save / OCI layout archive given to load that is malformed or does not match its digests.
  'image.archive_invalid': 'invalid_argument',
  // A manifest, index or config from a registry that is malformed, too large or not what it says.
  'image.manifest_invalid': 'invalid_argument',
  'image.platform_unavailable': 'not_found',
  // The registry refused our credentials (or we had none); Docker answers 401 too.
  'registry.unauthorized': 'unauthorized',
  'registry.denied': 'forbidden',
  'registry.manifest_unknown': 'not_found',
  'registry.blob_unknown': 'not_found',
  // Could not reach the registry, or it kept failing after retries.
  'registry.unavailable': 'unavailable',
  // The registry answered something the distribution spec does not allow.
  'registry.protocol': 'unavailable',
  // Another daemon answers on the API socket this one was told to use.
  'daemon.socket_in_use': 'failed_precondition',
  // A read-only client (its TLS certificate) asked for something other than GET or HEAD.
  'access.read_only': 'forbidden',
  'network.not_found': 'not_found',
  'network.exists': 'conflict',
  'network.invalid': 'invalid_argument',
  // Docker answers 403 for removing a pre-defined network (bridge, host, none).
  'network.predefined': 'forbidden',
  'network.in_use': 'conflict',
  // A subnet that overlaps another network's or a route on the host.
  'network.subnet_overlap': 'conflict',
  'network.address_in_use': 'conflict',
  'network.pool_exhausted': 'unavailable',
  'network.already_connected': 'conflict',
  'network.not_connected': 'not_found',
  'network.port_in_use': 'conflict',
  'network.setup_failed': 'internal',
  'volume.not_found': 'not_found',
  'volume.in_use': 'conflict',
  'volume.invalid': 'invalid_argument',
  // A sync into a volume another sync is writing, or a path that changed type under a sync.
  'volume.busy': 'conflict',
  // A volume driver other than the ones built in (Docker: the plugin is not found, 404).
  'volume.driver_unknown': 'not_found',
  // A restore whose volume name is taken (by a record or a directory).
  'volume.exists': 'conflict',
  // A volume backup that is truncated, altered, unsafe (names leaving the volume) or not a backup at all.
  'volume.backup_invalid': 'invalid_argument',
  // A Dockerfile that does not parse (the message names the file and line).
  'build.dockerfile_invalid': 'invalid_argument',
  // A build context that is too large, not a tar, or names a file outside itself.
  'build.context_invalid': 'invalid_argument',
  // A RUN step that exited non-zero (context: exitCode), or a step that could not be done.
  'build.step_failed': 'failed_precondition',
  // ADD of a URL polisd could not fetch.
  'build.source_unreachable': 'unavailable',
  // The client went away mid-build.
  'build.cancelled': 'failed_precondition',
  'runtime.unknown': 'invalid_argument',
  'runtime.unavailable': 'unavailable',
  'runtime.failed': 'internal',
  'process.failed': 'internal',
  'process.not_found': 'unavailable',
  'mount.failed': 'internal',
  'store.failed': 'internal',
  // The embedded DNS server could not take its address (port 53 on a network's gateway) for UDP or TCP.
  'network.dns_unavailable': 'unavailable',
  // A compose file that does not parse, interpolate or validate against the Compose Specification.
  'stack.invalid': 'invalid_argument',
  'stack.not_found': 'not_found',
  'stack.service_not_found': 'not_found',
  // A rollback with no previous configuration to go back to.
  'stack.no_previous': 'conflict',
  // SQLite answered SQLITE_FULL or a write got ENOSPC/EDQUOT: the data root is full (see `noSpace`).
  no_space: 'insufficient_storage',
  internal: 'internal',
} as const satisfies Record<string, ErrorKind>;

export type ErrorCode = keyof typeof catalogue;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.prototype.hasOwnProperty.call(catalogue, code);
}

export function kindOf(code: ErrorCode): ErrorKind {
  return catalogue[code];
}

export type ErrorContext = Record<string, unknown>;

export class PolisError extends Error {
  override readonly name = 'PolisError';
  readonly code: ErrorCode;
  readonly context: ErrorContext;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; context?: ErrorContext } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.context = options.context ?? {};
  }

  get kind(): ErrorKind {
    return catalogue[this.code];
  }
}

export function isPolisError(err: unknown, code?: ErrorCode): err is PolisError {
  return err instanceof PolisError && (code === undefined || err.code === code);
}

/**
 * The one table from error kind to the status of each transport: HTTP (Docker's codes) and gRPC (the
 * numeric codes of grpc/status: 3 INVALID_ARGUMENT, 5 NOT_FOUND, 6 ALREADY_EXISTS, 7 PERMISSION_DENIED,
 * 8 RESOURCE_EXHAUSTED, 9 FAILED_PRECONDITION, 12 UNIMPLEMENTED, 13 INTERNAL, 14 UNAVAILABLE,
 * 16 UNAUTHENTICATED). A conflict is FAILED_PRECONDITION, not ALREADY_EXISTS, because most Polis conflicts
 * are about state ("is running", "in use"); "not modified" has no gRPC error and is answered as OK.
 */
export const errorStatus: Readonly<Record<ErrorKind, { http: number; grpc: number }>> = {
  invalid_argument: { http: 400, grpc: 3 },
  unauthorized: { http: 401, grpc: 16 },
  forbidden: { http: 403, grpc: 7 },
  not_found: { http: 404, grpc: 5 },
  conflict: { http: 409, grpc: 9 },
  failed_precondition: { http: 409, grpc: 9 },
  not_modified: { http: 304, grpc: 0 },
  not_implemented: { http: 501, grpc: 12 },
  unavailable: { http: 503, grpc: 14 },
  insufficient_storage: { http: 507, grpc: 8 },
  internal: { http: 500, grpc: 13 },
};

/** HTTP status per kind (Docker's codes), from errorStatus. */
export const httpStatus: Readonly<Record<ErrorKind, number>> = Object.fromEntries(
  Object.entries(errorStatus).map(([kind, s]) => [kind, s.http]),
) as Record<ErrorKind, number>;

/** gRPC status code per kind, from errorStatus. */
export const grpcStatus: Readonly<Record<ErrorKind, number>> = Object.fromEntries(
  Object.entries(errorStatus).map(([kind, s]) => [kind, s.grpc]),
) as Record<ErrorKind, number>;

/** Rebuilds the kind from an HTTP status when the peer did not send a Polis code. */
export function kindFromStatus(status: number): ErrorKind {
  switch (status) {
    case 400:
      return 'invalid_argument';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 409:
      return 'conflict';
    case 304:
      return 'not_modified';
    case 501:
      return 'not_implemented';
    case 503:
      return 'unavailable';
    case 507:
      return 'insufficient_storage';
    default:
      return 'internal';
  }
}

/** Codes (errno, SQLite) that mean a write found no room; matched on codes, never on message text. */
const NO_SPACE_CODES = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL']);

/** True when the error, or one of its causes, is a full disk (or quota) on a write. */
export function isNoSpace(err: unknown): boolean {
  for (let e = err, depth = 0; e !== undefined && e !== null && depth < 8; depth++) {
    if (e instanceof PolisError && e.code === 'no_space') return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NO_SPACE_CODES.has(code)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** The one error for a full data root (HTTP 507), keeping what failed as its cause. */
export function noSpace(cause?: unknown, context: ErrorContext = {}): PolisError {
  if (cause instanceof PolisError && cause.code === 'no_space') return cause;
  return new PolisError('no_space', 'no space left on the data root', { cause, context });
}

/** Wraps anything thrown into a PolisError, keeping PolisErrors as they are; a full disk is `no_space`. */
export function toPolisError(err: unknown): PolisError {
  if (isNoSpace(err)) return noSpace(err);
  if (err instanceof PolisError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new PolisError('internal', message, { cause: err });
}
