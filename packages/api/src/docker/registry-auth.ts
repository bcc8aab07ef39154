import type { IncomingHttpHeaders } from 'node:http';
import type { RegistryCredentials } from '@polis/image';
import { invalid } from '../http/errors.js';

/** `X-Registry-Auth`: base64url (or plain base64) JSON of Docker's AuthConfig; absent or `{}` is none. */
export function registryAuth(headers: IncomingHttpHeaders): RegistryCredentials | undefined {
  const raw = headers['x-registry-auth'];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || value.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value.trim(), 'base64url').toString('utf8'));
  } catch {
    throw invalid('invalid X-Registry-Auth header: not base64 JSON');
  }
  return credentialsFrom(parsed);
}

/** Docker's AuthConfig (from `X-Registry-Auth` or `POST /auth`) → credentials. */
export function credentialsFrom(value: unknown): RegistryCredentials | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('invalid registry credentials: a JSON object is needed');
  }
  const v = value as Record<string, unknown>;
  const out: RegistryCredentials = {};
  const text = (key: string): string | undefined =>
    typeof v[key] === 'string' && v[key] !== '' ? (v[key] as string) : undefined;
  let username = text('username');
  let password = text('password');
  const auth = text('auth');
  if (auth !== undefined && username === undefined) {
    const pair = Buffer.from(auth, 'base64').toString('utf8');
    const colon = pair.indexOf(':');
    if (colon > 0) {
      username = pair.slice(0, colon);
      password = pair.slice(colon + 1);
    }
  }
  if (username !== undefined) out.username = username;
  if (password !== undefined) out.password = password;
  const identity = text('identitytoken');
  if (identity !== undefined) out.identitytoken = identity;
  const registry = text('registrytoken');
  if (registry !== undefined) out.registrytoken = registry;
  const server = text('serveraddress');
  if (server !== undefined) out.serveraddress = server;
  return Object.keys(out).length === 0 || (Object.keys(out).length === 1 && server !== undefined)
    ? undefined
    : out;
}
