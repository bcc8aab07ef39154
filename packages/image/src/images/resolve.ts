import { PolisError, isPolisError } from '@polis/core';
import { familiarName } from '../reference/familiar.js';
import { formatReference, normalizeReference, repositoryName } from '../reference/parse.js';
import type { ImageRecords } from '../store/records.js';

const FULL_ID = /^sha256:[a-f0-9]{64}$/;
const BARE_ID = /^[a-f0-9]{64}$/;
const SHORT_ID = /^(?:sha256:)?([a-f0-9]+)$/;

/**
 * Finds the image a user means, in Docker's order: a full id (`sha256:…` or 64 hex), then a name
 * (`busybox`, `busybox:1`, `repo@sha256:…`), then a unique id prefix (`3f5`, `sha256:3f5`).
 */
export function resolveImageId(records: ImageRecords, reference: string): string {
  if (FULL_ID.test(reference) || BARE_ID.test(reference)) {
    const id = reference.startsWith('sha256:') ? reference : `sha256:${reference}`;
    if (records.has(id)) return id;
    throw notFound(reference);
  }
  let shown = reference;
  let parseError: PolisError | undefined;
  try {
    const ref = normalizeReference(reference);
    shown = familiarName(ref);
    const id =
      ref.digest !== undefined
        ? records.byDigestName(`${repositoryName(ref)}@${ref.digest}`)
        : records.byTag(formatReference(ref));
    if (id !== undefined) return id;
  } catch (err) {
    if (!isPolisError(err, 'image.reference_invalid')) throw err;
    parseError = err;
  }
  const short = SHORT_ID.exec(reference)?.[1];
  if (short !== undefined) {
    const ids = records.idsWithPrefix(short);
    if (ids.length > 1) {
      throw new PolisError('image.ambiguous', `short image id "${reference}" is ambiguous`, {
        context: { reference },
      });
    }
    if (ids[0] !== undefined) return ids[0];
  }
  if (parseError) throw parseError;
  throw notFound(shown);
}

function notFound(shown: string): PolisError {
  return new PolisError('image.not_found', `No such image: ${shown}`, { context: { reference: shown } });
}
