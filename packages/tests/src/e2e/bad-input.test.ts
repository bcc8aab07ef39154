import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { mountsUnder, TestDaemon } from '../harness/daemon.js';
import { ok } from '../harness/expect.js';
import { postJson, rawRequest, type RawResponse } from '../harness/http.js';

/** Wrong input gets Docker's status code and a `{"message"}` body, and changes nothing. */
describe('bad input', () => {
  let d: TestDaemon;
  let runningId: string;
  let snapshotBefore: string;

  const get = (path: string): Promise<RawResponse> => rawRequest(d.socket, 'GET', path);

  /** What `ps -a` and `images` would show, plus the container folders on disk. */
  async function snapshot(): Promise<string> {
    const containers = (await get('/containers/json?all=1')).json as {
      Id: string;
      Names: string[];
      State: string;
    }[];
    const images = (await get('/images/json')).json as { Id: string; RepoTags: string[] }[];
    return JSON.stringify({
      containers: containers.map((c) => [c.Id, c.Names, c.State]).sort(),
      images: images.map((i) => [i.Id, i.RepoTags]).sort(),
      dirs: readdirSync(join(d.dataRoot, 'containers')).sort(),
      mounts: mountsUnder(d.dataRoot).length,
    });
  }

  function assertError(res: RawResponse, status: number, message: RegExp): void {
    assert.equal(res.status, status, `status of ${res.text}`);
    assert.match(String(res.headers['content-type']), /application\/json/);
    const body = res.json as { message?: unknown };
    assert.equal(typeof body?.message, 'string', `a {"message"} body: ${res.text}`);
    assert.match(body.message as string, message);
  }

  before(async () => {
    d = await TestDaemon.start();
    await d.importBusybox();
    runningId = ok(await d.polis(['run', '-d', '--name', 'busy', 'busybox', 'sleep', '300']));
  });

  beforeEach(async () => {
    snapshotBefore = await snapshot();
  });

  afterEach(async () => {
    assert.equal(await snapshot(), snapshotBefore, 'ps -a, images, container folders and mounts unchanged');
  });

  after(async () => {
    await d?.cleanup();
  });

  it('create from an unknown image is 404 "No such image"', async () => {
    const res = await postJson(d.socket, '/v1.41/containers/create', { Image: 'nosuch', Cmd: ['true'] });
    assertError(res, 404, /^No such image: nosuch(:latest)?$/);
    const cli = await d.polis(['create', '--pull', 'never', 'nosuch', 'true']);
    assert.equal(cli.code, 125);
    assert.match(cli.stderr, /No such image: nosuch/);
  });

  for (const [verb, method, path] of [
    ['inspect', 'GET', '/containers/nope/json'],
    ['start', 'POST', '/containers/nope/start'],
    ['stop', 'POST', '/containers/nope/stop'],
    ['kill', 'POST', '/containers/nope/kill'],
    ['rm', 'DELETE', '/containers/nope'],
    ['logs', 'GET', '/containers/nope/logs?stdout=1'],
  ] as const) {
    it(`${verb} of an unknown container is 404 "No such container"`, async () => {
      assertError(await rawRequest(d.socket, method, `/v1.41${path}`), 404, /^No such container: nope$/);
    });
  }

  it('the CLI reports an unknown container on stderr and exits non-zero', async () => {
    for (const verb of ['start', 'stop', 'rm']) {
      const res = await d.polis([verb, 'nope']);
      assert.notEqual(res.code, 0, verb);
      assert.match(res.stderr, /No such container: nope/, verb);
    }
  });

  it('20 concurrent creates of one name: exactly 1 succeeds, 19 get 409', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        postJson(d.socket, '/v1.41/containers/create?name=samename', { Image: 'busybox', Cmd: ['true'] }),
      ),
    );
    const created = results.filter((r) => r.status === 201);
    const conflicts = results.filter((r) => r.status === 409);
    assert.equal(created.length, 1, results.map((r) => `${r.status} ${r.text}`).join('\n'));
    assert.equal(conflicts.length, 19);
    for (const c of conflicts) assertError(c, 409, /name "\/samename" is already in use/);
    const id = (created[0]!.json as { Id: string }).Id;
    const listed = (
      await get('/containers/json?all=1&filters=' + encodeURIComponent('{"name":["samename"]}'))
    ).json as { Id: string }[];
    assert.deepEqual(
      listed.map((c) => c.Id),
      [id],
    );
    const del = await rawRequest(d.socket, 'DELETE', `/containers/${id}`);
    assert.equal(del.status, 204);
  });

  it('a second create of a used name through the CLI is a conflict', async () => {
    const res = await d.polis(['create', '--name', 'busy', 'busybox', 'true']);
    assert.equal(res.code, 125);
    assert.match(res.stderr, /Conflict\. The container name "\/busy" is already in use/);
  });

  it('an invalid JSON body is 400 with a message', async () => {
    assertError(await postJson(d.socket, '/v1.41/containers/create', '{"Image": "busybox",'), 400, /./);
    assertError(await postJson(d.socket, '/v1.41/containers/create', 'not json at all'), 400, /./);
  });

  it('invalid name characters are 400', async () => {
    for (const name of ['bad name', 'slash/inside', '-leading-dash', 'semi;colon']) {
      const res = await postJson(d.socket, `/v1.41/containers/create?name=${encodeURIComponent(name)}`, {
        Image: 'busybox',
        Cmd: ['true'],
      });
      assertError(res, 400, /Invalid container name/);
    }
    const cli = await d.polis(['create', '--name', 'bad name', 'busybox', 'true']);
    assert.notEqual(cli.code, 0);
    assert.match(cli.stderr, /Invalid container name/);
  });

  it('rm of a running container without force is 409 and it keeps running', async () => {
    const res = await rawRequest(d.socket, 'DELETE', `/v1.41/containers/${runningId}`);
    assertError(res, 409, /cannot remove a running container.*(force|Stop the container)/i);
    const cli = await d.polis(['rm', 'busy']);
    assert.notEqual(cli.code, 0);
    assert.match(cli.stderr, /cannot remove a running container/i);
    assert.equal(ok(await d.polis(['inspect', '-f', '{{.State.Running}}', 'busy'])), 'true');
  });

  it('an unsupported API version prefix is 400; an unknown path is 404', async () => {
    assertError(await get('/v9.99/containers/json'), 400, /client version 9\.99 is too new/);
    assertError(await get('/v1.12/containers/json'), 400, /client version 1\.12 is too old/);
    assertError(await get('/vfoo/containers/json'), 404, /page not found/);
    assertError(await get('/containers/json/extra/parts'), 404, /page not found/);
    const pinged = await get('/v1.24/_ping');
    assert.equal(pinged.status, 200);
    assert.equal(pinged.text, 'OK');
  });
});
