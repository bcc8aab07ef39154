/** Image references as docker shows them: "familiar" names without `docker.io/library/`. */
import { splitReference } from '@polis/sdk/engine';

export { splitReference };

/** `docker.io/library/busybox` → `busybox`; `docker.io/me/app` → `me/app`; others unchanged. */
export function familiarName(name: string): string {
  let n = name;
  if (n.startsWith('docker.io/')) n = n.slice('docker.io/'.length);
  if (n.startsWith('library/') && !n.slice('library/'.length).includes('/')) n = n.slice('library/'.length);
  return n;
}

/**
 * The repository and tag a new image is given (`import`, `commit`): none without a reference; a
 * digest is docker's "invalid reference format".
 */
export function repoAndTag(reference: string | undefined): { repo?: string; tag?: string } {
  if (reference === undefined) return {};
  const ref = splitReference(reference);
  if (ref.digest !== undefined) throw new Error(`invalid reference format: ${reference}`);
  return { repo: ref.name, tag: ref.tag };
}

/** `busybox` → `busybox:latest` (references with a tag or digest stay as they are). */
export function withDefaultTag(ref: string): string {
  const r = splitReference(ref);
  return r.tag === undefined && r.digest === undefined ? `${ref}:latest` : ref;
}

/** docker's `TruncateID`: drops the algorithm and keeps 12 characters. */
export function truncateId(id: string): string {
  const colon = id.indexOf(':');
  return (colon >= 0 ? id.slice(colon + 1) : id).slice(0, 12);
}
