import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createApiServer } from '../../server.js';
import { listenUnix } from '../../listen.js';
import { fakeDeps, type FakeContainers } from '../../testing/fakes.js';
import { closeServer, request, tempSocket } from '../../testing/http.js';
import type { CommitOptions } from '@polis/runtime';

async function withServer(fn: (socket: string, containers: FakeContainers) => Promise<void>): Promise<void> {
  const { deps, containers } = fakeDeps();
  const server = createApiServer(deps);
  const socket = tempSocket();
  await listenUnix(server, socket);
  try {
    await fn(socket, containers);
  } finally {
    await closeServer(server);
  }
}

async function createContainer(socket: string, body: Record<string, unknown>): Promise<string> {
  const res = await request(
    socket,
    'POST',
    '/containers/create',
    JSON.stringify({ Image: 'busybox', ...body }),
  );
  assert.equal(res.status, 201, res.text);
  return (res.json() as { Id: string }).Id;
}

test('changes are served in Docker shape, not as a 501', () =>
  withServer(async (socket) => {
    const id = await createContainer(socket, { Cmd: ['true'] });
    const res = await request(socket, 'GET', `/v1.41/containers/${id}/changes`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), [{ Path: '/new', Kind: 1 }]);
    assert.equal((await request(socket, 'GET', '/containers/nope/changes')).status, 404);
  }));

test('commit: 201 with the id; the container config, repeated changes, pause and the name reach the runtime', () =>
  withServer(async (socket, containers) => {
    const id = await createContainer(socket, { Cmd: ['sleep', '9'], Env: ['A=1'], WorkingDir: '/srv' });
    const q = new URLSearchParams({ container: id, repo: 'me/app', tag: 'v1', comment: 'msg', author: 'me' });
    q.append('changes', 'CMD ["cat","/new"]');
    q.append('changes', 'ENV B=2');
    const res = await request(socket, 'POST', `/v1.41/commit?${q.toString()}`, 'null');
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(res.json(), { Id: `sha256:${'c'.repeat(64)}` });
    const options = containers.calls.find((c) => c.verb === 'commit')?.args[1] as CommitOptions;
    assert.deepEqual(options.changes, ['CMD ["cat","/new"]', 'ENV B=2']);
    assert.equal(options.reference, 'me/app:v1');
    assert.equal(options.comment, 'msg');
    assert.equal(options.author, 'me');
    // Docker pauses unless told not to.
    assert.equal(options.pause, true);
    assert.deepEqual(options.runConfig.Cmd, ['sleep', '9']);
    assert.equal(options.runConfig.WorkingDir, '/srv');
    assert.ok(options.runConfig.Env?.includes('A=1'));

    // A posted config wins over the container's; pause=0 is honoured.
    const res2 = await request(
      socket,
      'POST',
      `/commit?container=${id}&pause=0`,
      JSON.stringify({ Cmd: ['other'], Env: [] }),
    );
    assert.equal(res2.status, 201, res2.text);
    const second = containers.calls.filter((c) => c.verb === 'commit')[1]?.args[1] as CommitOptions;
    assert.equal(second.pause, false);
    assert.deepEqual(second.runConfig.Cmd, ['other']);
    assert.ok(second.runConfig.Env?.includes('A=1'));
    assert.equal(second.reference, undefined);

    assert.equal((await request(socket, 'POST', '/commit')).status, 400);
    assert.equal((await request(socket, 'POST', '/commit?container=nope')).status, 404);
  }));
