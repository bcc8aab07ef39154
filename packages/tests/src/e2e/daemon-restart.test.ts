import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestDaemon } from '../harness/daemon.js';
import { lines, ok } from '../harness/expect.js';
import { pidAlive, waitFor } from '../harness/wait.js';

/** Containers belong to conmon, not to polisd: they outlive it, and a new polisd picks them up. */
for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
  describe(`polisd stopped with ${signal} and started again`, () => {
    let d: TestDaemon;
    let a: string;
    let b: string;
    let c: string;
    const pids = new Map<string, number>();

    before(async () => {
      d = await TestDaemon.start();
      await d.importBusybox();
      a = ok(await d.polis(['run', '-d', '--name', 'keep1', 'busybox', 'sleep', '300']));
      b = ok(await d.polis(['run', '-d', '--name', 'keep2', 'busybox', 'sleep', '300']));
      // The short one ends when the test says so (SIGUSR1 to its shell), not after a time a loaded
      // machine may spend before polisd is even stopped.
      c = ok(
        await d.polis([
          'run',
          '-d',
          '--name',
          'short',
          'busybox',
          'sh',
          '-c',
          'trap "exit 4" USR1; echo bye; while :; do sleep 0.1; done',
        ]),
      );
      for (const id of [a, b, c]) {
        pids.set(id, Number(ok(await d.polis(['inspect', '-f', '{{.State.Pid}}', id]))));
      }
    });

    after(async () => {
      await d?.cleanup();
    });

    it('the containers keep running while polisd is down; the short one ends meanwhile', async () => {
      await d.stopProcess(signal);
      assert.equal(d.child, undefined);
      for (const id of [a, b, c]) assert.ok(pidAlive(pids.get(id)!), `pid of ${id.slice(0, 12)} alive`);
      process.kill(pids.get(c)!, 'SIGUSR1');
      await waitFor('c to end', () => !pidAlive(pids.get(c)!), 10_000);
      for (const id of [a, b]) assert.ok(pidAlive(pids.get(id)!), `pid of ${id.slice(0, 12)} still alive`);
    });

    it('after a restart, the two are listed running and the third Exited (4)', async () => {
      await d.startProcess();
      const running = lines(ok(await d.polis(['ps', '--format', '{{.Names}} {{.Status}}'])));
      assert.deepEqual(running.map((l) => l.split(' ')[0]).sort(), ['keep1', 'keep2'], running.join('\n'));
      for (const row of running) assert.match(row, /^keep\d Up /);
      const cRow = ok(await d.polis(['ps', '-a', '--filter', 'name=short', '--format', '{{.Status}}']));
      assert.match(cRow, /^Exited \(4\) /);
      assert.equal(
        ok(
          await d.polis([
            'inspect',
            '-f',
            '{{.State.Status}} {{.State.Running}} {{.State.ExitCode}}',
            'short',
          ]),
        ),
        'exited false 4',
      );
      for (const id of [a, b]) {
        assert.equal(ok(await d.polis(['inspect', '-f', '{{.State.Pid}}', id])), String(pids.get(id)));
      }
    });

    it('the ended container keeps its logs and wait reports its code', async () => {
      assert.equal(ok(await d.polis(['logs', 'short'])), 'bye');
      assert.equal(ok(await d.polis(['wait', 'short'])), '4');
    });

    it('the adopted containers can be stopped, and their processes end', async () => {
      const t0 = Date.now();
      assert.equal(ok(await d.polis(['stop', '-t', '1', 'keep1', 'keep2'])), 'keep1\nkeep2');
      assert.ok(Date.now() - t0 < 8000, `stop took ${Date.now() - t0} ms`);
      for (const id of [a, b]) {
        assert.equal(
          ok(await d.polis(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', id])),
          'exited 137',
        );
        assert.ok(!pidAlive(pids.get(id)!), `pid of ${id.slice(0, 12)} gone`);
      }
      assert.deepEqual(lines(ok(await d.polis(['ps', '-q']))), []);
    });
  });
}

describe('two daemons side by side', () => {
  let one: TestDaemon;
  let two: TestDaemon;

  before(async () => {
    [one, two] = await Promise.all([TestDaemon.start(), TestDaemon.start()]);
    await one.importBusybox();
  });

  after(async () => {
    await Promise.all([one?.cleanup(), two?.cleanup()]);
  });

  it('a container and an image in one daemon are not visible in the other', async () => {
    assert.notEqual(one.socket, two.socket);
    const id = ok(await one.polis(['run', '-d', '--name', 'only-here', 'busybox', 'sleep', '300']));
    assert.deepEqual(lines(ok(await one.polis(['ps', '-q']))), [id.slice(0, 12)]);
    assert.deepEqual(lines(ok(await two.polis(['ps', '-a', '-q']))), []);
    const missing = await two.polis(['inspect', 'only-here']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /No such (object|container): only-here/);
    assert.deepEqual(lines(ok(await two.polis(['images', '-q']))), []);
    assert.equal((await two.client.containers.list({ all: true })).length, 0);
  });

  it('the same name can be used in both', async () => {
    await two.importBusybox();
    const id2 = ok(await two.polis(['run', '-d', '--name', 'only-here', 'busybox', 'sleep', '300']));
    const id1 = ok(await one.polis(['inspect', '-f', '{{.Id}}', 'only-here']));
    assert.notEqual(id1, id2);
    ok(await two.polis(['rm', '-f', 'only-here']));
    assert.equal(ok(await one.polis(['inspect', '-f', '{{.State.Running}}', 'only-here'])), 'true');
  });
});
