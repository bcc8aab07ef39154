import { PolisError } from '@polis/core';
import { digestProblem } from '../digest.js';
import { IDENTIFIER_RE, INPUT_LENGTH_MAX, NAME_RE, NAME_TOTAL_LENGTH_MAX, REFERENCE_RE } from './grammar.js';

export const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';
export const DEFAULT_TAG = 'latest';

/** A normalised image reference: `docker.io/library/busybox:latest` is `{docker.io, library/busybox, latest}`. */
export interface ImageReference {
  domain: string;
  /** The repository path inside the domain (`library/busybox`). */
  path: string;
  tag?: string;
  digest?: string;
}

function invalid(input: string, detail?: string): PolisError {
  const message = detail ? `invalid reference format: ${detail}` : 'invalid reference format';
  return new PolisError('image.reference_invalid', message, { context: { reference: input } });
}

/** Docker's splitDockerDomain: the first component is a domain only if it looks like one. */
function splitDomain(input: string): { domain: string; remainder: string } {
  const slash = input.indexOf('/');
  let domain: string;
  let remainder: string;
  const first = slash === -1 ? '' : input.slice(0, slash);
  if (slash === -1 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    domain = DEFAULT_DOMAIN;
    remainder = input;
  } else {
    domain = first;
    remainder = input.slice(slash + 1);
  }
  if (domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = OFFICIAL_REPO_PREFIX + remainder;
  return { domain, remainder };
}

/**
 * Parses and normalises a reference as `docker pull` does (ParseNormalizedNamed): `busybox` becomes
 * `docker.io/library/busybox`. No default tag is added; see `withDefaultTag`.
 */
export function parseReference(input: string): ImageReference {
  if (input === '') throw invalid(input, 'repository name must have at least one component');
  if (input.length > INPUT_LENGTH_MAX) throw invalid(input);
  if (IDENTIFIER_RE.test(input)) {
    throw invalid(input, `invalid repository name (${input}), cannot specify 64-byte hexadecimal strings`);
  }
  const { domain, remainder } = splitDomain(input);
  const colon = remainder.indexOf(':');
  const remote = colon === -1 ? remainder : remainder.slice(0, colon);
  if (remote.toLowerCase() !== remote) {
    throw invalid(input, `repository name (${remote}) must be lowercase`);
  }
  return parseStrict(`${domain}/${remainder}`, input);
}

/** Docker's reference.Parse on an already qualified string. */
function parseStrict(full: string, input: string): ImageReference {
  const match = REFERENCE_RE.exec(full);
  if (!match) {
    if (REFERENCE_RE.test(full.toLowerCase())) throw invalid(input, 'repository name must be lowercase');
    throw invalid(input);
  }
  const [, name = '', tag, digest] = match;
  if (name.length > NAME_TOTAL_LENGTH_MAX) {
    throw invalid(input, `repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`);
  }
  const nameMatch = NAME_RE.exec(name);
  const domain = nameMatch?.[1];
  const path = nameMatch?.[2];
  if (domain === undefined || path === undefined) throw invalid(input);
  const ref: ImageReference = { domain, path };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) {
    const problem = digestProblem(digest);
    if (problem) throw invalid(input, problem);
    ref.digest = digest;
  }
  return ref;
}

/** Adds `:latest` to a reference that has neither tag nor digest (Docker's TagNameOnly). */
export function withDefaultTag(ref: ImageReference): ImageReference {
  return ref.tag === undefined && ref.digest === undefined ? { ...ref, tag: DEFAULT_TAG } : ref;
}

/** `parseReference` then `withDefaultTag`: what a name given to pull, run, tag or import means. */
export function normalizeReference(input: string): ImageReference {
  return withDefaultTag(parseReference(input));
}

/** `docker.io/library/busybox`. */
export function repositoryName(ref: ImageReference): string {
  return `${ref.domain}/${ref.path}`;
}

/** The full string: `docker.io/library/busybox:latest`, `host:5000/x@sha256:…`. */
export function formatReference(ref: ImageReference): string {
  return `${repositoryName(ref)}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}
