import type { IncomingMessage, ServerResponse } from 'node:http';
import { dashboardMayCall } from './allowed.js';
import { DASHBOARD_ASSETS, readAsset } from './static.js';
import { DASHBOARD_COOKIE, presentedToken, tokenMatches } from './token.js';

/** How one listener serves the dashboard. */
export interface DashboardOptions {
  /** Required as cookie or bearer token on every dashboard path; absent on the API socket, where anyone
   * who can connect already holds the whole API. */
  token?: string;
  /** The listener serves the dashboard and nothing else (`--dashboard-addr`). */
  only?: boolean;
  /** Where the page's files are (tests point this at a temporary directory). */
  assets?: string;
}

/** The header the page sends on every call: a cross-site form or image cannot set it (CSRF defence). */
export const DASHBOARD_HEADER = 'x-polis-dashboard';

const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

function refuse(res: ServerResponse, status: number, code: string, message: string): void {
  const body = JSON.stringify({ message, code }) + '\n';
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'application/json' }).end(body);
}

/**
 * Answers the request when it is the dashboard's (or when the listener is dashboard-only) and says so;
 * `/dashboard/api/PATH` is handed to `forward` with its URL rewritten to `/PATH`, so the same router,
 * access rules and metrics serve it. `serves` says whether the router has a route (for features.json).
 */
export function serveDashboard(
  req: IncomingMessage,
  res: ServerResponse,
  options: DashboardOptions,
  forward: () => void,
  serves: (method: string, path: string) => boolean = () => true,
): boolean {
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://polis');
  } catch {
    // An unparsable target: the API's dispatch answers it with Docker's 400 where it serves.
    if (!options.only) return false;
    refuse(res, 400, 'request.invalid', 'malformed request target');
    return true;
  }
  const path = url.pathname;
  const method = req.method ?? 'GET';
  if (path === '/dashboard') {
    res.writeHead(308, { Location: '/dashboard/' }).end();
    return true;
  }
  if (!path.startsWith('/dashboard/')) {
    if (!options.only) return false;
    refuse(res, 404, 'request.unknown_route', 'this listener serves only the dashboard, under /dashboard/');
    return true;
  }
  if (path === '/dashboard/login') {
    const given = url.searchParams.get('token') ?? undefined;
    if (options.token !== undefined && !tokenMatches(given, options.token)) {
      refuse(res, 401, 'access.denied', 'wrong or missing dashboard token: use the login URL polisd printed');
      return true;
    }
    const cookie =
      options.token === undefined
        ? []
        : [`${DASHBOARD_COOKIE}=${options.token}; Path=/dashboard; HttpOnly; SameSite=Strict`];
    res.writeHead(303, { ...SECURITY_HEADERS, Location: '/dashboard/', 'Set-Cookie': cookie }).end();
    return true;
  }
  if (options.token !== undefined && !tokenMatches(presentedToken(req), options.token)) {
    refuse(res, 401, 'access.denied', 'log in first: open the /dashboard/login?token=... URL polisd printed');
    return true;
  }
  if (path === '/dashboard/features.json') {
    // Optional APIs the page shows only when this polisd has them, so it never probes into a 404.
    const body = JSON.stringify({ alerts: serves('GET', '/polis/v1/alerts') }) + '\n';
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'application/json' }).end(body);
    return true;
  }
  if (path.startsWith('/dashboard/api/')) {
    const apiPath = path.slice('/dashboard/api'.length);
    if (method !== 'GET' && method !== 'HEAD' && req.headers[DASHBOARD_HEADER] !== '1') {
      refuse(res, 403, 'access.denied', `dashboard writes need the ${DASHBOARD_HEADER}: 1 header`);
      return true;
    }
    if (!dashboardMayCall(method, apiPath.replace(/^\/v[0-9.]+(?=\/)/, ''))) {
      refuse(res, 403, 'access.denied', `the dashboard does not make ${method} ${apiPath}`);
      return true;
    }
    req.url = apiPath + url.search;
    forward();
    return true;
  }
  if (method !== 'GET' && method !== 'HEAD') {
    refuse(res, 405, 'request.invalid', 'the dashboard page is read with GET');
    return true;
  }
  void readAsset(options.assets ?? DASHBOARD_ASSETS, path.slice('/dashboard/'.length)).then(
    (asset) => {
      if (!asset) {
        refuse(res, 404, 'request.unknown_route', 'no such dashboard file');
        return;
      }
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'Content-Type': asset.type,
        'Content-Length': asset.body.length,
      });
      res.end(method === 'HEAD' ? undefined : asset.body);
    },
    () => refuse(res, 500, 'internal', 'reading the dashboard file failed'),
  );
  return true;
}
