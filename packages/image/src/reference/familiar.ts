import { DEFAULT_DOMAIN, type ImageReference, parseReference } from './parse.js';

const OFFICIAL_PREFIX = 'library/';

/** The repository as Docker shows it: `busybox`, `user/repo`, `host:5000/repo`. */
export function familiarRepository(ref: ImageReference): string {
  if (ref.domain !== DEFAULT_DOMAIN) return `${ref.domain}/${ref.path}`;
  const rest = ref.path.startsWith(OFFICIAL_PREFIX) ? ref.path.slice(OFFICIAL_PREFIX.length) : ref.path;
  return rest.includes('/') ? ref.path : rest;
}

/**
 * The reference as Docker shows it (FamiliarString): `busybox:latest`, `user/repo:tag`,
 * `host:5000/repo@sha256:…`. Accepts a parsed reference or any string `parseReference` accepts.
 */
export function familiarName(ref: ImageReference | string): string {
  const r = typeof ref === 'string' ? parseReference(ref) : ref;
  return `${familiarRepository(r)}${r.tag !== undefined ? `:${r.tag}` : ''}${r.digest !== undefined ? `@${r.digest}` : ''}`;
}
