/**
 * Docker shows names of Docker Hub images in their familiar form: `docker.io/library/busybox:latest`
 * is `busybox:latest`, `docker.io/me/app:1` is `me/app:1`; other registries stay as they are.
 */
export function familiarName(name: string): string {
  for (const prefix of ['docker.io/', 'index.docker.io/']) {
    if (name.startsWith(prefix)) {
      const rest = name.slice(prefix.length);
      return rest.startsWith('library/') ? rest.slice('library/'.length) : rest;
    }
  }
  return name;
}

/** `busybox`, `me/app:1`, `localhost:5000/x` → with `:latest` when it has no tag or digest. */
export function withDefaultTag(reference: string): string {
  if (reference.includes('@')) return reference;
  const lastSlash = reference.lastIndexOf('/');
  return reference.slice(lastSlash + 1).includes(':') ? reference : `${reference}:latest`;
}
