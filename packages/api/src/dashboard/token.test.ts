import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { test } from 'node:test';
import { DASHBOARD_COOKIE, newDashboardToken, presentedToken, tokenMatches } from './token.js';

const req = (headers: Record<string, string>): IncomingMessage => ({ headers }) as unknown as IncomingMessage;

test('a new token is long, URL-safe and different each time', () => {
  const a = newDashboardToken();
  assert.match(a, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(a, newDashboardToken());
});

test('the token is read from a bearer header or the dashboard cookie, nothing else', () => {
  assert.equal(presentedToken(req({ authorization: 'Bearer abc' })), 'abc');
  assert.equal(presentedToken(req({ cookie: `x=1; ${DASHBOARD_COOKIE}=tok; y=2` })), 'tok');
  assert.equal(presentedToken(req({ authorization: 'Basic abc' })), undefined);
  assert.equal(presentedToken(req({ cookie: 'other=tok' })), undefined);
  assert.equal(presentedToken(req({})), undefined);
});

test('only the exact token matches', () => {
  const t = newDashboardToken();
  assert.equal(tokenMatches(t, t), true);
  assert.equal(tokenMatches(t.slice(1), t), false);
  assert.equal(tokenMatches(t + 'x', t), false);
  assert.equal(tokenMatches(undefined, t), false);
  assert.equal(tokenMatches('', ''), false);
});
