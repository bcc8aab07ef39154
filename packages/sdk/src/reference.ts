/**
 * Image references as docker normalizes them (`busybox` → `docker.io/library/busybox:latest`): the client
 * needs the registry host to pick credentials, and the name and tag apart for `fromImage`/`tag`.
 */
import { PolisError } from '@polis/core/errors';

export const DEFAULT_DOMAIN = 'docker.io';

export interface ImageReference {
  /** The registry host: `docker.io`, `localhost:5000`, `ghcr.io`. */
  domain: string;
  /** The repository path in the registry: `library/busybox`, `me/app`. */
  path: string;
  tag?: string;
  /** `sha256:…` */
  digest?: string;
}

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;

function invalid(ref: string, why = 'invalid reference format'): PolisError {
  return new PolisError('image.reference_invalid', why, { context: { reference: ref } });
}

/** Splits `name[:tag][@digest]` as written (the tag's colon comes after the last slash); no checks. */
export function splitReference(ref: string): { name: string; tag?: string; digest?: string } {
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const colon = rest.lastIndexOf(':');
  const out: { name: string; tag?: string; digest?: string } =
    colon > rest.lastIndexOf('/')
      ? { name: rest.slice(0, colon), tag: rest.slice(colon + 1) }
      : { name: rest };
  if (digest !== undefined) out.digest = digest;
  return out;
}

/** Parses `[domain/]path[:tag][@digest]` with docker's defaults (`docker.io`, `library/`). */
export function parseReference(ref: string): ImageReference {
  const { name: rest, tag, digest } = splitReference(ref);
  if (digest !== undefined && !DIGEST.test(digest)) throw invalid(ref);
  if (tag !== undefined && !TAG.test(tag)) throw invalid(ref);
  // docker's splitDockerDomain: the first component is a host when it looks like one.
  const slash = rest.indexOf('/');
  const first = slash < 0 ? '' : rest.slice(0, slash);
  let domain = DEFAULT_DOMAIN;
  let path = rest;
  if (slash >= 0 && (/[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first)) {
    domain = first;
    path = rest.slice(slash + 1);
  }
  if (domain === 'index.docker.io') domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && path !== '' && !path.includes('/')) path = `library/${path}`;
  if (path === '') throw invalid(ref);
  for (const part of path.split('/')) {
    if (PATH_COMPONENT.test(part)) continue;
    if (PATH_COMPONENT.test(part.toLowerCase())) {
      throw invalid(ref, 'invalid reference format: repository name must be lowercase');
    }
    throw invalid(ref);
  }
  const out: ImageReference = { domain, path };
  if (tag !== undefined) out.tag = tag;
  if (digest !== undefined) out.digest = digest;
  return out;
}

/** `docker.io/library/busybox` → `busybox`, `docker.io/me/app` → `me/app`; other hosts stay. */
export function familiarName(ref: ImageReference): string {
  if (ref.domain !== DEFAULT_DOMAIN) return `${ref.domain}/${ref.path}`;
  return ref.path.startsWith('library/') && ref.path.split('/').length === 2
    ? ref.path.slice('library/'.length)
    : ref.path;
}

/** The fully qualified name: `docker.io/library/busybox`. */
export function fullName(ref: ImageReference): string {
  return `${ref.domain}/${ref.path}`;
}

/** docker's `TagNameOnly`: `latest` when the reference has neither tag nor digest. */
export function withDefaultTag(ref: ImageReference): ImageReference {
  return ref.tag === undefined && ref.digest === undefined ? { ...ref, tag: 'latest' } : ref;
}

/** The reference as text: `docker.io/library/busybox:latest`, or familiar (`busybox:latest`). */
export function referenceString(ref: ImageReference, familiar = false): string {
  let text = familiar ? familiarName(ref) : fullName(ref);
  if (ref.tag !== undefined) text += `:${ref.tag}`;
  if (ref.digest !== undefined) text += `@${ref.digest}`;
  return text;
}
