import type { IncomingMessage } from 'node:http';
import { PolisError } from '@polis/core';
import { API_VERSION, MIN_API_VERSION } from '../types.js';
import type { Reply } from './reply.js';

export interface Context {
  req: IncomingMessage;
  reply: Reply;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The version in the path prefix, or the server's own for unversioned paths. */
  version: string;
}

export type Handler = (ctx: Context) => Promise<void> | void;

export interface RouteOptions {
  /** The route may answer an `Upgrade: tcp` request by taking over the socket. */
  hijack?: boolean;
  /** A Docker route Polis answers 501 (or "no such" 404) for: left out of the OpenAPI document. */
  notImplemented?: boolean;
}

/** One row of the routing table, as the OpenAPI document is generated from it. */
export interface RouteEntry {
  method: string;
  pattern: string;
  hijack: boolean;
  notImplemented: boolean;
}

interface Route extends RouteOptions {
  method: string;
  pattern: string;
  regex: RegExp;
  names: string[];
  handler: Handler;
}

export interface Match {
  handler: Handler;
  params: Record<string, string>;
  hijack: boolean;
  /** The pattern that matched (`/containers/{id}/json`): what metrics label a request by, never its ids. */
  pattern: string;
}

const PARAM = /\{([a-zA-Z]+)(\*?)\}/g;

/**
 * Method + path patterns. `{id}` matches one segment; `{name*}` matches one or more segments and is
 * greedy, so `/images/{name*}/json` takes `localhost:5000/busybox:latest` whole (the longest path).
 */
export class Router {
  private readonly routes: Route[] = [];

  add(methods: string | string[], pattern: string, handler: Handler, options: RouteOptions = {}): this {
    const names: string[] = [];
    let source = '';
    let last = 0;
    for (const m of pattern.matchAll(PARAM)) {
      source += escape(pattern.slice(last, m.index)) + (m[2] ? '(.+)' : '([^/]+)');
      names.push(m[1] as string);
      last = (m.index ?? 0) + m[0].length;
    }
    source += escape(pattern.slice(last));
    const regex = new RegExp(`^${source}/?$`);
    for (const method of [methods].flat())
      this.routes.push({ method, pattern, regex, names, handler, ...options });
    return this;
  }

  /** The table in the order routes were added. */
  table(): RouteEntry[] {
    return this.routes.map((r) => ({
      method: r.method,
      pattern: r.pattern,
      hijack: r.hijack ?? false,
      notImplemented: r.notImplemented ?? false,
    }));
  }

  match(method: string, path: string): Match | undefined {
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const m = route.regex.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => (params[name] = decode(m[i + 1] as string)));
      return { handler: route.handler, params, hijack: route.hijack ?? false, pattern: route.pattern };
    }
    return undefined;
  }
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new PolisError('request.invalid', `invalid escape in path: ${text}`);
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Splits `/v1.41/containers/json` into the version and the rest; checks the version is one Polis speaks. */
export function splitVersion(path: string): { version: string; path: string } {
  const m = /^\/v([0-9][0-9.]*)(\/.*)?$/.exec(path);
  if (!m) return { version: API_VERSION, path };
  const version = m[1] as string;
  if (compareVersions(version, MIN_API_VERSION) < 0) {
    throw new PolisError(
      'request.invalid',
      `client version ${version} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`,
    );
  }
  if (compareVersions(version, API_VERSION) > 0) {
    throw new PolisError(
      'request.invalid',
      `client version ${version} is too new. Maximum supported API version is ${API_VERSION}`,
    );
  }
  return { version, path: m[2] ?? '/' };
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split('.').map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}
