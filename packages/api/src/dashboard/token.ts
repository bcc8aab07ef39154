import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The cookie the login page sets; scoped to /dashboard so no other path ever sees it. */
export const DASHBOARD_COOKIE = 'polis_dashboard';

/** A fresh login token: 32 random bytes, URL-safe, printed once by polisd at start. */
export function newDashboardToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The token a request carries: `Authorization: Bearer T` first, else the dashboard cookie. */
export function presentedToken(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return m ? m[1] : undefined;
  }
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === DASHBOARD_COOKIE) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Constant-time comparison, so the answer's timing says nothing about how much of a guess was right. */
export function tokenMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined || expected === '') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
