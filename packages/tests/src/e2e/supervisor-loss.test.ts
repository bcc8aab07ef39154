import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { TestDaemon } from '../harness/daemon.js';
import { lines, ok } from '../harness/expect.js';
import { pidAlive, processesMatching, waitFor } from '../harness/wait.js';

/** The conmon supervising a container (its command line names the container with `-c`). */
function conmonOf(id: string): number {
  const pids = processesMatching('conmon', `-c ${id}`);
  assert.equal(pids.length, 1, `one conmon for ${id.slice(0, 12)}: ${pids.join(' ')}`);
  return pids[0] as number;
}

/**
 * A container's conmon killed while polisd runs (podman's "rm after killed conmon"): polisd notices
 * within seconds, kills the orphaned container, records the exit, wakes waiters; `rm -f` works at once.
 */
describe('a container whose conmon is killed', () => {
  let d: TestDaemon;
  const inspect = async (ref: string, format: string): Promise<string> =>
    ok(await d.polis(['inspect', '-f', format, ref]), `inspect ${ref}`);

  before(async () => {
    d = await TestDaemon.start();
    await d.importBusybox();
  });

  after(async () => {
    await d?.cleanup();
  });

  it('is exited 137 within seconds, its process is gone, wait returns and a die event was sent', async () => {
    const id = ok(await d.polis(['run', '-d', '--name', 'lost1', 'busybox', 'sleep', '300']));
    const pid = Number(await inspect(id, '{{.State.Pid}}'));
    const since = String(Math.floor(Date.now() / 1000));
    // A client already waiting (as `docker run` does) must be woken, not left hanging.
    const waiting = d.polis(['wait', 'lost1'], { timeoutMs: 20_000 });
    await new Promise((r) => setTimeout(r, 300));
    process.kill(conmonOf(id), 'SIGKILL');
    const state = await waitFor(
      'the container to be recorded as exited',
      async () => {
        const s = await inspect(id, '{{.State.Status}} {{.State.ExitCode}}');
        return s.startsWith('exited') ? s : undefined;
      },
      5000,
    );
    assert.equal(state, 'exited 137');
    assert.match(await inspect(id, '{{.State.Error}}'), /conmon/);
    assert.ok(!pidAlive(pid), 'the container process was killed');
    // The wait ends (it was not killed by its timeout) and says why: the run's Error is the lost conmon.
    const waited = await waiting;
    assert.notEqual(waited.code, 137, 'wait hung until its timeout');
    assert.ok(
      waited.stdout.trim() === '137' || /conmon/.test(waited.stderr),
      `wait: ${JSON.stringify(waited)}`,
    );
    const w2 = await d.polis(['wait', 'lost1'], { timeoutMs: 5000 });
    assert.equal(w2.stdout.trim(), '137', `second wait: ${w2.stderr}`);
    const events = lines(
      ok(
        await d.polis([
          'events',
          '--since',
          since,
          '--until',
          String(Math.floor(Date.now() / 1000) + 1),
          '--filter',
          'container=lost1',
          '--filter',
          'event=die',
          '--format',
          '{{.Action}} {{index .Actor.Attributes "exitCode"}}',
        ]),
      ),
    );
    assert.deepEqual(events, ['die 137']);
    ok(await d.polis(['rm', 'lost1']), 'rm');
  });

  it('rm -f right after kill -9 of conmon succeeds the first time', async () => {
    const id = ok(await d.polis(['run', '-d', '--name', 'lost2', 'busybox', 'sleep', '300']));
    const pid = Number(await inspect(id, '{{.State.Pid}}'));
    process.kill(conmonOf(id), 'SIGKILL');
    const t0 = Date.now();
    const rm = await d.polis(['rm', '-f', 'lost2'], { timeoutMs: 20_000 });
    assert.equal(rm.code, 0, `rm -f: ${rm.stderr}`);
    assert.ok(Date.now() - t0 < 5000, `rm -f took ${Date.now() - t0} ms`);
    assert.ok(!pidAlive(pid), 'the container process is gone');
    const left = await d.polis(['ps', '-a', '-q', '--filter', 'name=lost2']);
    assert.equal(left.stdout.trim(), '');
  });

  it('stop after kill -9 of conmon returns, and the container can be started again', async () => {
    const id = ok(await d.polis(['run', '-d', '--name', 'lost3', 'busybox', 'sleep', '300']));
    process.kill(conmonOf(id), 'SIGKILL');
    const stop = await d.polis(['stop', '-t', '1', 'lost3'], { timeoutMs: 20_000 });
    assert.equal(stop.code, 0, `stop: ${stop.stderr}`);
    assert.equal(await inspect(id, '{{.State.Status}}'), 'exited');
    ok(await d.polis(['start', 'lost3']));
    assert.equal(await inspect(id, '{{.State.Status}}'), 'running');
    assert.ok(pidAlive(conmonOf(id)));
    ok(await d.polis(['rm', '-f', 'lost3']));
  });

  it('conmon and container both killed: exited, and docker wait returns', async () => {
    const id = ok(await d.polis(['run', '-d', '--name', 'lost4', 'busybox', 'sleep', '300']));
    const pid = Number(await inspect(id, '{{.State.Pid}}'));
    const waiting = new Promise<string>((resolve) => {
      const child = spawn('docker', ['wait', 'lost4'], { env: d.env(), stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.on('close', () => {
        clearTimeout(timer);
        resolve(out.trim());
      });
    });
    await new Promise((r) => setTimeout(r, 300));
    process.kill(conmonOf(id), 'SIGKILL');
    process.kill(pid, 'SIGKILL');
    assert.equal(await waiting, '137');
    assert.equal(await inspect(id, '{{.State.Status}} {{.State.ExitCode}}'), 'exited 137');
    ok(await d.polis(['rm', 'lost4']));
  });
});
