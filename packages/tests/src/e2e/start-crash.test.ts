import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestDaemon } from '../harness/daemon.js';
import { lines, ok } from '../harness/expect.js';
import { pidAlive, processesMatching, waitFor } from '../harness/wait.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * polisd killed (SIGKILL) at each step of a `start`, through its test hook POLIS_TEST_CRASH_AT. After
 * it comes back, a container whose process the runtime started is running (listed, exec works, its
 * address kept) and a second `start` does not run its entrypoint again; one whose process never ran is
 * as before, and its next `start` runs the entrypoint once, with one conmon.
 */
describe('polisd killed during a start', () => {
  let d: TestDaemon;
  const inspect = async (ref: string, format: string): Promise<string> =>
    ok(await d.polis(['inspect', '-f', format, ref]), `inspect ${ref}`);
  const startedLines = async (name: string): Promise<number> =>
    lines(ok(await d.polis(['logs', name]))).filter((l) => l === 'started').length;

  /** Creates `name`, then starts it with a polisd that kills itself at `step`, then starts polisd again. */
  async function crashDuringStart(name: string, step: string): Promise<void> {
    ok(await d.polis(['create', '--name', name, 'busybox', 'sh', '-c', 'echo started; exec sleep 300']));
    await d.stopProcess('SIGTERM');
    process.env.POLIS_TEST_CRASH_AT = step;
    try {
      await d.startProcess();
    } finally {
      delete process.env.POLIS_TEST_CRASH_AT;
    }
    const child = d.child;
    const res = await d.polis(['start', name], { timeoutMs: 30_000 });
    assert.notEqual(res.code, 0, `start should have lost its daemon: ${res.stdout}`);
    await waitFor('polisd to be gone', () => child?.exitCode !== null || child?.signalCode !== null);
    assert.equal(child?.signalCode, 'SIGKILL', `polisd ended by ${child?.signalCode} ${child?.exitCode}`);
    await d.startProcess();
  }

  before(async () => {
    d = await TestDaemon.start();
    await d.importBusybox();
  });

  after(async () => {
    delete process.env.POLIS_TEST_CRASH_AT;
    await d?.cleanup();
  });

  it('after the runtime started it: running, listed, exec works, address kept, not started twice', async () => {
    await crashDuringStart('cs-started', 'after-runtime-start');
    assert.equal(await inspect('cs-started', '{{.State.Status}}'), 'running');
    const pid = Number(await inspect('cs-started', '{{.State.Pid}}'));
    assert.ok(pid > 0 && pidAlive(pid), `pid ${pid} alive`);
    assert.deepEqual(lines(ok(await d.polis(['ps', '--format', '{{.Names}}']))), ['cs-started']);
    const ip = await inspect('cs-started', '{{.NetworkSettings.IPAddress}}');
    assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/);
    const addr = ok(await d.polis(['exec', 'cs-started', 'ip', '-4', '-o', 'addr', 'show', 'eth0']), 'exec');
    assert.ok(addr.includes(` ${ip}/`), `eth0 holds ${ip}: ${addr}`);
    // A second start is a no-op: the entrypoint ran once, the process is the same.
    ok(await d.polis(['start', 'cs-started']));
    await sleep(500);
    assert.equal(Number(await inspect('cs-started', '{{.State.Pid}}')), pid);
    assert.equal(await startedLines('cs-started'), 1);
    assert.equal(processesMatching('conmon', `-c ${await inspect('cs-started', '{{.Id}}')}`).length, 1);
    // And it is supervised: stop records the exit.
    ok(await d.polis(['stop', '-t', '1', 'cs-started']));
    assert.equal(await inspect('cs-started', '{{.State.Status}} {{.State.ExitCode}}'), 'exited 137');
    assert.ok(!pidAlive(pid));
    ok(await d.polis(['rm', 'cs-started']));
  });

  for (const step of ['before-runtime-create', 'after-runtime-create', 'before-runtime-start']) {
    it(`at ${step}: the start is undone; the next start runs the entrypoint once`, async () => {
      const name = `cs-${step}`;
      await crashDuringStart(name, step);
      const id = await inspect(name, '{{.Id}}');
      assert.equal(await inspect(name, '{{.State.Status}}'), 'created');
      assert.equal(lines(ok(await d.polis(['ps', '-q', '--filter', `name=${name}`]))).length, 0);
      await waitFor(
        'no conmon of the interrupted start',
        () => processesMatching('conmon', `-c ${id}`).length === 0,
      );
      ok(await d.polis(['start', name]));
      assert.equal(await inspect(name, '{{.State.Status}}'), 'running');
      await waitFor('the entrypoint to log', async () => (await startedLines(name)) > 0);
      await sleep(300);
      assert.equal(await startedLines(name), 1);
      assert.equal(processesMatching('conmon', `-c ${id}`).length, 1);
      ok(await d.polis(['exec', name, 'true']), 'exec');
      ok(await d.polis(['rm', '-f', name]));
    });
  }
});
