import { PolisError, isPolisError } from '@polis/core';

/** Codes that, raised while reading an archive, mean the archive itself is bad. */
const ARCHIVE_FAULTS = new Set([
  'image.digest_mismatch',
  'image.layer_invalid',
  'image.reference_invalid',
  'image.manifest_invalid',
]);

export function archiveInvalid(
  message: string,
  options: { cause?: unknown; context?: object } = {},
): PolisError {
  return new PolisError('image.archive_invalid', `invalid image archive: ${message}`, {
    ...(options.cause === undefined ? {} : { cause: options.cause }),
    context: { ...options.context },
  });
}

/** Turns a fault of the archive's content into `image.archive_invalid`; other failures pass as they are. */
export function asArchiveError(err: unknown): unknown {
  if (isPolisError(err) && ARCHIVE_FAULTS.has(err.code)) return archiveInvalid(err.message, { cause: err });
  return err;
}
