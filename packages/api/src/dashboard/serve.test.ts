import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listenUnix } from '../listen.js';
import { createApiServer } from '../server.js';
import { fakeDeps } from '../testing/fakes.js';
import { closeServer, request, tempSocket } from '../testing/http.js';
import type { DashboardOptions } from './serve.js';

const TOKEN = 'test-token-123';

async function withDashboard(
  options: DashboardOptions,
  fn: (
    call: (method: string, path: string, headers?: Record<string, string>) => ReturnType<typeof request>,
  ) => Promise<void>,
): Promise<void> {
  const server = createApiServer(fakeDeps().deps, { dashboard: options });
  const socket = tempSocket();
  await listenUnix(server, socket);
  try {
    await fn((method, path, headers = {}) => request(socket, method, path, undefined, headers));
  } finally {
    await closeServer(server);
  }
}

const auth = { authorization: `Bearer ${TOKEN}` };

test('the dashboard listener wants the token on every path but login', () =>
  withDashboard({ token: TOKEN, only: true }, async (call) => {
    assert.equal((await call('GET', '/dashboard/')).status, 401);
    assert.equal((await call('GET', '/dashboard/app.js')).status, 401);
    assert.equal((await call('GET', '/dashboard/api/containers/json')).status, 401);
    assert.equal((await call('GET', '/dashboard/', { authorization: 'Bearer wrong' })).status, 401);
    assert.equal((await call('GET', '/dashboard/login?token=wrong')).status, 401);
    const page = await call('GET', '/dashboard/', auth);
    assert.equal(page.status, 200);
    assert.match(page.text, /<main/);
    assert.match(String(page.headers['content-security-policy']), /default-src 'none'/);
  }));

test('login with the right token sets a strict, HttpOnly cookie that then opens the page', () =>
  withDashboard({ token: TOKEN, only: true }, async (call) => {
    const login = await call('GET', `/dashboard/login?token=${TOKEN}`);
    assert.equal(login.status, 303);
    assert.equal(login.headers.location, '/dashboard/');
    const cookie = String(login.headers['set-cookie']);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.match(cookie, /Path=\/dashboard/);
    const page = await call('GET', '/dashboard/', { cookie: cookie.split(';')[0] as string });
    assert.equal(page.status, 200);
  }));

test('the dashboard listener serves nothing of the API outside /dashboard/', () =>
  withDashboard({ token: TOKEN, only: true }, async (call) => {
    for (const path of ['/containers/json', '/_ping', '/v1.41/info', '/metrics']) {
      assert.equal((await call('GET', path, auth)).status, 404, path);
    }
  }));

test('/dashboard/../../etc/passwd does not escape the page directory', () =>
  withDashboard({ token: TOKEN, only: true }, async (call) => {
    for (const path of [
      '/dashboard/../../etc/passwd',
      '/dashboard/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/dashboard/..%2f..%2f..%2f..%2fetc%2fpasswd',
    ]) {
      const res = await call('GET', path, auth);
      assert.doesNotMatch(res.text, /root:/, path);
      assert.notEqual(res.status, 200, path);
    }
  }));

test('API calls go through an allowlist, and writes need the CSRF header', () =>
  withDashboard({ token: TOKEN, only: true }, async (call) => {
    const list = await call('GET', '/dashboard/api/containers/json?all=1', auth);
    assert.equal(list.status, 200);
    assert.ok(Array.isArray(list.json()));
    assert.equal((await call('GET', '/dashboard/api/v1.41/containers/json', auth)).status, 200);
    // No header: a cross-site form could have sent this.
    assert.equal((await call('POST', '/dashboard/api/containers/nope/stop', auth)).status, 403);
    // With it, the call reaches the router (which knows no such container).
    const stop = await call('POST', '/dashboard/api/containers/nope/stop', {
      ...auth,
      'x-polis-dashboard': '1',
    });
    assert.equal(stop.status, 404);
    for (const [method, path] of [
      ['POST', '/dashboard/api/containers/create'],
      ['POST', '/dashboard/api/containers/x/exec'],
      ['GET', '/dashboard/api/containers/x/archive'],
      ['POST', '/dashboard/api/images/create'],
    ] as const) {
      const res = await call(method, path, { ...auth, 'x-polis-dashboard': '1' });
      assert.equal(res.status, 403, `${method} ${path}`);
    }
  }));

test('on the API socket the dashboard needs no token and the API is still served', () =>
  withDashboard({}, async (call) => {
    assert.equal((await call('GET', '/dashboard/')).status, 200);
    assert.equal((await call('GET', '/dashboard')).status, 308);
    assert.equal((await call('GET', '/_ping')).status, 200);
    assert.equal((await call('GET', '/dashboard/api/containers/json')).status, 200);
  }));

test('features.json says which optional APIs this polisd serves', () =>
  withDashboard({ token: TOKEN, only: true }, async (call) => {
    const res = await call('GET', '/dashboard/features.json', auth);
    assert.equal(res.status, 200);
    // The alerts routes are part of every polisd now (they answer without an engine in these fakes).
    assert.deepEqual(res.json(), { alerts: true });
  }));

test('an unparsable request target is a 400, and the listener keeps serving', () =>
  withDashboard({ token: TOKEN, only: true }, async (call) => {
    assert.equal((await call('GET', 'http://[', auth)).status, 400);
    assert.equal((await call('GET', '/dashboard/', auth)).status, 200);
  }));
