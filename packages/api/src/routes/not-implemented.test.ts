import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPolisError } from '@polis/core';
import { DOCKER_API_ROUTES } from '../http/docker-routes.js';
import { buildRouter } from '../server.js';
import { fakeDeps } from '../testing/fakes.js';

/** `/images/{name}/json` → `/images/some/thing:1/json`: a slash in a name must not lose the route. */
function samplePath(template: string): string {
  return template.replace(/\{name\}/g, 'some/thing:1').replace(/\{[a-zA-Z]+\}/g, 'abc');
}

test('every route of the 1.41 API has a handler: a real one or a 501 "not implemented by Polis"', async () => {
  const router = buildRouter(fakeDeps().deps);
  assert.ok(DOCKER_API_ROUTES.length > 100);
  for (const entry of DOCKER_API_ROUTES) {
    const [method, template] = entry.split(' ') as [string, string];
    assert.ok(router.match(method, samplePath(template)), `${entry} has a route`);
    assert.ok(router.match(method, template.replace(/\{[a-zA-Z]+\}/g, 'x')), `${entry} has a route`);
  }
});

test('the fallback answers 501 with the route named, and real routes still win', async () => {
  const router = buildRouter(fakeDeps().deps);
  for (const [method, path, template] of [
    ['GET', '/swarm', 'GET /swarm'],
    ['POST', '/services/create', 'POST /services/create'],
    ['POST', '/plugins/vieux/sshfs:latest/enable', 'POST /plugins/{name}/enable'],
    ['GET', '/tasks/abc/logs', 'GET /tasks/{id}/logs'],
    ['GET', '/plugins', 'GET /plugins'],
  ] as const) {
    const match = router.match(method, path);
    assert.ok(match, path);
    await assert.rejects(
      async () => match.handler({} as never),
      (err) =>
        isPolisError(err, 'request.not_implemented') &&
        err.message === `${template} is not implemented by Polis`,
    );
  }
  // Polis has no plugins: looking one up is a plain 404, so `docker inspect x` reaches "No such object".
  const plugin = router.match('GET', '/plugins/nothing/json');
  await assert.rejects(
    async () => plugin?.handler({ params: plugin.params } as never),
    (err) => isPolisError(err, 'request.not_found') && err.message === 'plugin "nothing" not found',
  );
  // A route Polis serves is not shadowed by the fallback list.
  assert.notEqual(router.match('GET', '/containers/json')?.handler, undefined);
  await assert.doesNotReject(async () =>
    router.match('GET', '/_ping')?.handler({ reply: { text() {} } } as never),
  );
});

test('a malformed path of a route Polis serves stays a 404, not a 501', () => {
  const router = buildRouter(fakeDeps().deps);
  assert.equal(router.match('GET', '/containers/a/b/json'), undefined);
  assert.equal(router.match('POST', '/containers/a/b/start'), undefined);
});
