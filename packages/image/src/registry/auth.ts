import { createHash } from 'node:crypto';
import { PolisError } from '@polis/core';
import { readBody, send, type HttpResponse } from './http.js';

/** What a client sent in `X-Registry-Auth` (or `POST /auth`), in Docker's field names. */
export interface RegistryCredentials {
  username?: string;
  password?: string;
  /** A refresh token from an earlier login (OAuth2 refresh_token grant). */
  identitytoken?: string;
  /** A bearer token to use as it is. */
  registrytoken?: string;
  serveraddress?: string;
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses `WWW-Authenticate` (RFC 7235): `Bearer realm="…",service="…",scope="…"`. */
export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  const values = header === undefined ? [] : Array.isArray(header) ? header : [header];
  const out: Challenge[] = [];
  for (const value of values) {
    const re = /\s*([A-Za-z][\w-]*)(?:\s+|$)/y;
    let pos = 0;
    while (pos < value.length) {
      re.lastIndex = pos;
      const scheme = re.exec(value);
      if (!scheme?.[1]) break;
      pos = re.lastIndex;
      const params: Record<string, string> = {};
      const param = /\s*([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*))\s*(,|$)/y;
      for (;;) {
        param.lastIndex = pos;
        const m = param.exec(value);
        if (!m?.[1]) break;
        params[m[1].toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
        pos = param.lastIndex;
        if (m[4] === '') break;
        // A comma followed by a new scheme (a token and a space) starts the next challenge.
        if (/^\s*[A-Za-z][\w-]*\s+[\w-]+\s*=/.test(value.slice(pos))) break;
      }
      out.push({ scheme: scheme[1].toLowerCase(), params });
    }
  }
  return out;
}

interface CachedToken {
  value: string;
  expires: number;
}

/** The smallest lifetime the token spec allows; tokens are renewed a little before they run out. */
const MIN_TOKEN_SECONDS = 60;
const tokens = new Map<string, CachedToken>();

/**
 * Answers a 401: the `Authorization` header value for the challenge (Basic credentials, or a bearer
 * token fetched from the challenge's realm for `scopes`).
 */
export async function authorize(
  response: HttpResponse,
  credentials: RegistryCredentials | undefined,
  scopes: string[],
  insecureTls: boolean,
): Promise<string> {
  const challenges = parseChallenges(response.headers['www-authenticate']);
  const bearer = challenges.find((c) => c.scheme === 'bearer');
  if (credentials?.registrytoken) return `Bearer ${credentials.registrytoken}`;
  if (bearer?.params.realm) {
    const token = await bearerToken(bearer.params, credentials, scopes, insecureTls);
    return `Bearer ${token}`;
  }
  if (challenges.some((c) => c.scheme === 'basic')) {
    if (!credentials?.username) throw unauthorized(response, 'no basic auth credentials');
    const pair = `${credentials.username}:${credentials.password ?? ''}`;
    return `Basic ${Buffer.from(pair).toString('base64')}`;
  }
  throw unauthorized(response, 'the registry asked for authentication in an unsupported way');
}

async function bearerToken(
  challenge: Record<string, string>,
  credentials: RegistryCredentials | undefined,
  scopes: string[],
  insecureTls: boolean,
): Promise<string> {
  const realm = new URL(challenge.realm as string);
  // Keyed by the whole credential (hashed, so no secret sits in a map key): another password, an
  // identity token or no credential at all never reuses a token that was granted to someone else.
  const key = JSON.stringify([realm.href, challenge.service, scopes, credentialKey(credentials)]);
  const cached = tokens.get(key);
  if (cached && cached.expires > Date.now()) return cached.value;
  const headers: Record<string, string> = { accept: 'application/json' };
  let response: HttpResponse;
  if (credentials?.identitytoken) {
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: credentials.identitytoken,
      client_id: 'polis',
      scope: scopes.join(' '),
    });
    if (challenge.service) form.set('service', challenge.service);
    headers['content-type'] = 'application/x-www-form-urlencoded';
    response = await send({
      method: 'POST',
      url: realm,
      headers,
      body: Buffer.from(form.toString()),
      insecureTls,
    });
  } else {
    const url = new URL(realm);
    if (challenge.service) url.searchParams.set('service', challenge.service);
    for (const scope of scopes) url.searchParams.append('scope', scope);
    if (credentials?.username) {
      const pair = `${credentials.username}:${credentials.password ?? ''}`;
      headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
    }
    response = await send({ method: 'GET', url, headers, insecureTls });
  }
  const body = await readBody(response, 1024 * 1024);
  if (response.status === 401 || response.status === 403) {
    throw new PolisError(
      'registry.unauthorized',
      `unauthorized: the token server ${realm.host} refused the credentials`,
      { context: { realm: realm.href, status: response.status } },
    );
  }
  if (response.status !== 200) {
    throw new PolisError(
      'registry.protocol',
      `the token server ${realm.host} answered ${response.status}: ${body.toString('utf8').slice(0, 200)}`,
    );
  }
  let parsed: { token?: string; access_token?: string; expires_in?: number };
  try {
    parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
  } catch {
    throw new PolisError('registry.protocol', `the token server ${realm.host} sent no JSON`);
  }
  const value = parsed.token || parsed.access_token;
  if (!value) throw new PolisError('registry.protocol', `the token server ${realm.host} sent no token`);
  const seconds = Math.max(parsed.expires_in ?? MIN_TOKEN_SECONDS, MIN_TOKEN_SECONDS);
  tokens.set(key, { value, expires: Date.now() + (seconds - 10) * 1000 });
  return value;
}

function credentialKey(credentials: RegistryCredentials | undefined): string {
  const { username = '', password = '', identitytoken = '' } = credentials ?? {};
  return createHash('sha256')
    .update(JSON.stringify([username, password, identitytoken]))
    .digest('hex');
}

function unauthorized(response: HttpResponse, detail: string): PolisError {
  return new PolisError('registry.unauthorized', `unauthorized: ${detail} for ${response.url.host}`, {
    context: { registry: response.url.host },
  });
}
