import { PolisError } from '@polis/core';
import { formatReference, normalizeReference } from '../reference/parse.js';
import { archiveInvalid } from './errors.js';

/** A layer member of an archive; the digest is known when the archive names it. */
export interface PlannedLayer {
  path: string;
  digest?: string;
  mediaType?: string;
  size?: number;
}

/** One image an archive holds, before anything is stored. */
export interface PlannedImage {
  configPath: string;
  configDigest?: string;
  layers: PlannedLayer[];
  /** The archive's manifest, kept as it is when it describes the stored layers. */
  manifest?: Buffer;
  tags: string[];
  digestNames: string[];
}

/** `blobs/sha256/<hex>` names its content's digest. */
export function digestOfPath(path: string): string | undefined {
  const m = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(path);
  return m ? `sha256:${m[1]}` : undefined;
}

export function parseJson(data: Buffer, what: string): unknown {
  try {
    return JSON.parse(data.toString('utf8')) as unknown;
  } catch (err) {
    throw archiveInvalid(`${what} is not valid JSON`, { cause: err });
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Adds a name to a plan: a full tag, or a digest reference (which cannot be a tag). */
export function addName(plan: PlannedImage, name: string): void {
  let full: string;
  try {
    const ref = normalizeReference(name);
    full = formatReference(ref);
    if (ref.digest !== undefined) {
      if (!plan.digestNames.includes(full)) plan.digestNames.push(full);
      return;
    }
  } catch (err) {
    if (err instanceof PolisError)
      throw archiveInvalid(`bad image name ${JSON.stringify(name)}`, { cause: err });
    throw err;
  }
  if (!plan.tags.includes(full)) plan.tags.push(full);
}
