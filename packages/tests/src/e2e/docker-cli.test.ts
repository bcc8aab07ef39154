import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { busyboxTar } from '../harness/busybox.js';
import { TestDaemon } from '../harness/daemon.js';
import { lines, ok } from '../harness/expect.js';
import { waitFor } from '../harness/wait.js';

/** The real docker CLI (DOCKER_HOST pointed at polisd), as a user would drive it. */
describe('docker CLI against polisd', () => {
  let d: TestDaemon;
  const state = async (ref: string, format: string): Promise<string> =>
    ok(await d.docker(['inspect', '-f', format, ref]), `docker inspect ${ref}`);

  before(async () => {
    d = await TestDaemon.start();
    await d.importBusybox();
  });

  after(async () => {
    await d?.cleanup();
  });

  it('docker version shows a server with API version 1.41', async () => {
    const out = ok(await d.docker(['version']));
    const server = out.slice(out.indexOf('Server'));
    assert.ok(out.includes('Server'), out);
    assert.match(server, /API version:\s+1\.41/);
    assert.equal(ok(await d.docker(['version', '--format', '{{.Server.APIVersion}}'])), '1.41');
  });

  it('docker info exits 0 and shows the server version', async () => {
    const res = await d.docker(['info']);
    assert.match(ok(res), /Server Version:/);
    assert.doesNotMatch(res.stderr, /error/i);
  });

  it('docker import, images and rmi', async () => {
    const id = ok(await d.docker(['import', await busyboxTar(), 'busybox2']));
    assert.match(id, /^sha256:[0-9a-f]{64}$/);
    const images = lines(ok(await d.docker(['images'])));
    assert.match(images[0]!, /^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$/);
    assert.ok(
      images.some((l) => /^busybox2\s+latest\s+[0-9a-f]{12}\s/.test(l)),
      images.join('\n'),
    );
    const rmi = lines(ok(await d.docker(['rmi', 'busybox2'])));
    assert.ok(rmi.includes('Untagged: busybox2:latest'), rmi.join('\n'));
    assert.ok(
      rmi.some((l) => l.startsWith('Deleted: sha256:')),
      rmi.join('\n'),
    );
    assert.ok(
      !ok(await d.docker(['images', '--format', '{{.Repository}}']))
        .split('\n')
        .includes('busybox2'),
    );
  });

  it('docker run --rm prints the output', async () => {
    const res = await d.docker(['run', '--rm', 'busybox', 'echo', 'hi']);
    assert.equal(res.stdout, 'hi\n');
    assert.equal(res.code, 0, res.stderr);
    assert.equal(ok(await d.docker(['ps', '-aq'])), '');
  });

  it('docker run --rm passes the exit code through', async () => {
    const res = await d.docker(['run', '--rm', 'busybox', 'sh', '-c', 'exit 7']);
    assert.equal(res.code, 7, res.stderr);
  });

  it('docker logs shows what a container printed', async () => {
    ok(await d.docker(['run', '--name', 'printer', 'busybox', 'sh', '-c', 'echo first; echo second >&2']));
    const res = await d.docker(['logs', 'printer']);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, 'first\n');
    assert.equal(res.stderr, 'second\n');
    ok(await d.docker(['rm', 'printer']));
  });

  it('a detached web container: run -d, ps, inspect, stop, rm', async () => {
    const id = ok(await d.docker(['run', '-d', '--name', 'web', 'busybox', 'sleep', '300']));
    assert.match(id, /^[0-9a-f]{64}$/);
    const ps = lines(ok(await d.docker(['ps'])));
    const row = ps.find((l) => l.endsWith(' web'));
    assert.ok(row, ps.join('\n'));
    assert.match(row, new RegExp(`^${id.slice(0, 12)}\\s+busybox\\s+"sleep 300"\\s+.*\\s+Up `));

    const [info] = JSON.parse(ok(await d.docker(['inspect', 'web']))) as {
      Id: string;
      Name: string;
      State: { Running: boolean; Status: string };
    }[];
    assert.equal(info?.Id, id);
    assert.equal(info?.Name, '/web');
    assert.equal(info?.State.Running, true);
    assert.equal(info?.State.Status, 'running');

    const t0 = Date.now();
    assert.equal(ok(await d.docker(['stop', '-t', '1', 'web'])), 'web');
    assert.ok(Date.now() - t0 < 5000);
    assert.equal(await state('web', '{{.State.Status}} {{.State.ExitCode}}'), 'exited 137');
    assert.equal(ok(await d.docker(['rm', 'web'])), 'web');
    const gone = await d.docker(['inspect', 'web']);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /No such object: web/i);
  });

  it('docker wait prints the exit code', async () => {
    ok(await d.docker(['run', '-d', '--name', 'waiter', 'busybox', 'sh', '-c', 'sleep 0.3; exit 9']));
    const res = await d.docker(['wait', 'waiter']);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, '9\n');
    ok(await d.docker(['rm', 'waiter']));
  });

  it('docker pause and unpause', async () => {
    ok(await d.docker(['run', '-d', '--name', 'pausable', 'busybox', 'sleep', '300']));
    assert.equal(ok(await d.docker(['pause', 'pausable'])), 'pausable');
    assert.equal(await state('pausable', '{{.State.Status}}'), 'paused');
    assert.match(
      ok(await d.docker(['ps', '--filter', 'name=pausable', '--format', '{{.Status}}'])),
      /\(Paused\)$/,
    );
    assert.equal(ok(await d.docker(['unpause', 'pausable'])), 'pausable');
    assert.equal(await state('pausable', '{{.State.Status}}'), 'running');
    ok(await d.docker(['rm', '-f', 'pausable']));
  });

  it('docker rename', async () => {
    const id = ok(await d.docker(['create', '--name', 'before', 'busybox', 'true']));
    assert.equal((await d.docker(['rename', 'before', 'after'])).code, 0);
    assert.equal(await state('after', '{{.Id}} {{.Name}}'), `${id} /after`);
    assert.notEqual((await d.docker(['inspect', 'before'])).code, 0);
    ok(await d.docker(['rm', 'after']));
  });

  it('docker kill ends the container with 137; kill -s on a stopped container fails', async () => {
    ok(await d.docker(['run', '-d', '--name', 'victim', 'busybox', 'sleep', '300']));
    try {
      assert.equal(ok(await d.docker(['kill', 'victim'])), 'victim');
      // docker's kill of SIGKILL returns once the container has stopped
      assert.equal(await state('victim', '{{.State.Status}} {{.State.ExitCode}}'), 'exited 137');
      const again = await d.docker(['kill', '-s', 'USR1', 'victim']);
      assert.notEqual(again.code, 0);
      assert.match(again.stderr, /is not running/);
    } finally {
      await d.docker(['rm', '-f', 'victim']);
    }
  });

  it('docker kill -s delivers the signal', async () => {
    const script = 'trap "echo caught; exit 0" USR1; echo ready; while true; do sleep 0.1; done';
    ok(await d.docker(['run', '-d', '--name', 'trap', 'busybox', 'sh', '-c', script]));
    await waitFor('ready', async () => (await d.docker(['logs', 'trap'])).stdout.includes('ready'));
    ok(await d.docker(['kill', '-s', 'USR1', 'trap']));
    assert.equal(ok(await d.docker(['wait', 'trap'])), '0');
    assert.equal(ok(await d.docker(['logs', 'trap'])), 'ready\ncaught');
    ok(await d.docker(['rm', 'trap']));
  });
});
