/** The `X-Registry-Auth` header: docker's base64url (padded) JSON of the credentials. */

/** Credentials for a registry, as the Engine API takes them (`POST /auth`, `X-Registry-Auth`). */
export interface RegistryAuth {
  username?: string;
  password?: string;
  /** The registry: `https://index.docker.io/v1/`, `localhost:5000`. */
  serveraddress?: string;
  /** A token the registry gave at login, sent instead of the password. */
  identitytoken?: string;
  /** A bearer token for the registry itself. */
  registrytoken?: string;
  email?: string;
}

/**
 * Encodes credentials as docker's `EncodeAuthConfig` does (URL-safe alphabet, with padding). Without
 * credentials it is the encoding of `{}` (`e30=`): docker's daemon requires the header on push.
 */
export function encodeRegistryAuth(auth: RegistryAuth | undefined): string {
  const fields = Object.fromEntries(
    Object.entries(auth ?? {}).filter(([, v]) => v !== undefined && v !== ''),
  );
  return Buffer.from(JSON.stringify(fields), 'utf8')
    .toString('base64')
    .replaceAll('+', '-')
    .replaceAll('/', '_');
}

/** Decodes an `X-Registry-Auth` value (either base64 alphabet, padded or not). */
export function decodeRegistryAuth(header: string): RegistryAuth {
  const text = Buffer.from(header.replaceAll('-', '+').replaceAll('_', '/'), 'base64').toString('utf8');
  return text.trim() === '' ? {} : (JSON.parse(text) as RegistryAuth);
}
