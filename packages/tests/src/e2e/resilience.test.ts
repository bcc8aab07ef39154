import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { mountsUnder, TestDaemon } from '../harness/daemon.js';
import { lines, ok } from '../harness/expect.js';
import { pidAlive, processesMatching, waitFor } from '../harness/wait.js';

const SLEEPERS = 10;
const ENDERS = [1, 2, 3, 4, 5];

/** Crashes, bounded logs, and the docker verbs of a long-running container. */
describe('resilience', () => {
  let d: TestDaemon;
  const inspect = async (ref: string, format: string): Promise<string> =>
    ok(await d.polis(['inspect', '-f', format, ref]), `inspect ${ref}`);
  const containerDirs = (): string[] => {
    const dir = join(d.dataRoot, 'containers');
    return existsSync(dir) ? readdirSync(dir) : [];
  };

  before(async () => {
    d = await TestDaemon.start();
    await d.importBusybox();
  });

  after(async () => {
    await d?.cleanup();
  });

  describe('kill -9 of polisd while 15 containers run, 5 of which end while it is down', () => {
    const pids = new Map<string, number>();
    let mountsBefore: string[] = [];

    before(async () => {
      for (let i = 1; i <= SLEEPERS; i++) {
        ok(await d.polis(['run', '-d', '--name', `sleeper${i}`, 'busybox', 'sleep', '300']));
      }
      // The short ones start last, together, so that they end while polisd is down.
      const enders = ENDERS.map((n) => `ender${n}`);
      await Promise.all(
        ENDERS.map(async (n) =>
          ok(
            await d.polis(['run', '-d', '--name', `ender${n}`, 'busybox', 'sh', '-c', `sleep 2; exit ${n}`]),
          ),
        ),
      );
      mountsBefore = mountsUnder(d.dataRoot).sort();
      const names = [...Array.from({ length: SLEEPERS }, (_, i) => `sleeper${i + 1}`), ...enders];
      const rows = await d.polis(['inspect', '-f', '{{.Name}} {{.State.Running}} {{.State.Pid}}', ...names]);
      for (const row of lines(ok(rows))) {
        const [name, running, pid] = row.split(' ') as [string, string, string];
        if (running === 'true') pids.set(name.replace(/^\//, ''), Number(pid));
      }
      await d.stopProcess('SIGKILL');
    });

    // The later tests need a daemon even when the restart test did not run (a name filter, a failure).
    after(async () => {
      if (!d.child) await d.startProcess();
    });

    it('all 15 were running with a rootfs mount each when polisd died', () => {
      assert.equal(pids.size, SLEEPERS + ENDERS.length, [...pids.keys()].join(' '));
      assert.equal(mountsBefore.length, SLEEPERS + ENDERS.length, mountsBefore.join('\n'));
    });

    it('the short ones end while polisd is down; the sleepers keep running', async () => {
      for (const n of ENDERS) {
        const pid = pids.get(`ender${n}`) as number;
        await waitFor(`ender${n} to end`, () => !pidAlive(pid), 10_000);
      }
      for (let i = 1; i <= SLEEPERS; i++)
        assert.ok(pidAlive(pids.get(`sleeper${i}`) as number), `sleeper${i}`);
    });

    it('after the restart, ps -a shows all 15 with the right states and exit codes', async () => {
      await d.startProcess();
      const rows = lines(ok(await d.polis(['ps', '-a', '--format', '{{.Names}}|{{.Status}}'])));
      assert.equal(rows.length, SLEEPERS + ENDERS.length, rows.join('\n'));
      const status = new Map(rows.map((r) => r.split('|') as [string, string]));
      for (let i = 1; i <= SLEEPERS; i++) {
        assert.match(status.get(`sleeper${i}`) ?? '', /^Up /, `sleeper${i}`);
        assert.equal(await inspect(`sleeper${i}`, '{{.State.Pid}}'), String(pids.get(`sleeper${i}`)));
      }
      for (const n of ENDERS) {
        assert.match(status.get(`ender${n}`) ?? '', new RegExp(`^Exited \\(${n}\\) `), `ender${n}`);
        assert.equal(await inspect(`ender${n}`, '{{.State.Status}} {{.State.ExitCode}}'), `exited ${n}`);
      }
    });

    it('no mount leaked: only the sleepers are still mounted', async () => {
      const sleeperIds = new Set<string>();
      for (let i = 1; i <= SLEEPERS; i++) sleeperIds.add(await inspect(`sleeper${i}`, '{{.Id}}'));
      const expected = mountsBefore.filter((m) => [...sleeperIds].some((id) => m.includes(id)));
      assert.equal(expected.length, SLEEPERS);
      await waitFor(
        'the ended containers to be unmounted',
        () => mountsUnder(d.dataRoot).length === SLEEPERS,
        5000,
      ).catch(() => undefined);
      assert.deepEqual(mountsUnder(d.dataRoot).sort(), expected);
    });

    it('the sleepers can still be stopped, and wait reports the code of an ender', async () => {
      assert.equal(ok(await d.polis(['wait', 'ender3'])), '3');
      ok(await d.polis(['stop', '-t', '1', 'sleeper1']));
      assert.equal(await inspect('sleeper1', '{{.State.Status}}'), 'exited');
      assert.ok(!pidAlive(pids.get('sleeper1') as number));
    });

    it('rm -f of all leaves no mount, no container folder and no conmon of this daemon', async () => {
      const all = lines(ok(await d.polis(['ps', '-aq'])));
      assert.equal(all.length, SLEEPERS + ENDERS.length);
      ok(await d.polis(['rm', '-f', ...all]));
      assert.equal(ok(await d.polis(['ps', '-aq'])), '');
      assert.deepEqual(mountsUnder(d.dataRoot), []);
      assert.deepEqual(containerDirs(), []);
      await waitFor('the conmons to go', () => processesMatching('conmon', d.dataRoot).length === 0, 5000);
      for (const pid of pids.values()) assert.ok(!pidAlive(pid), `container process ${pid} ended`);
    });
  });

  it('a --rm container that ends while polisd is down is gone after the restart', async () => {
    const id = ok(await d.polis(['run', '-d', '--rm', '--name', 'gone', 'busybox', 'sh', '-c', 'sleep 1']));
    const pid = Number(await inspect(id, '{{.State.Pid}}'));
    await d.stopProcess('SIGKILL');
    await waitFor('the container to end', () => !pidAlive(pid), 10_000);
    await d.startProcess();
    await waitFor(
      'the container to be removed',
      async () => ok(await d.polis(['ps', '-aq', '--filter', 'name=gone'])) === '',
      10_000,
    );
    assert.notEqual((await d.polis(['inspect', id])).code, 0);
    assert.ok(!containerDirs().includes(id), 'its folder is removed');
    assert.deepEqual(
      mountsUnder(d.dataRoot).filter((m) => m.includes(id)),
      [],
    );
  });

  it('50 MB of output with max-size=1m, max-file=2: about 2 MB on disk, logs --tail 5 the last 5 lines', async () => {
    const script =
      'BEGIN { s = sprintf("%1000s", ""); gsub(/ /, "x", s); for (i = 1; i <= 50000; i++) printf "%07d %s\\n", i, s }';
    const id = ok(
      await d.polis([
        'run',
        '-d',
        '--log-opt',
        'max-size=1m',
        '--log-opt',
        'max-file=2',
        'busybox',
        'awk',
        script,
      ]),
    );
    assert.equal(ok(await d.polis(['wait', id])), '0');
    const dir = join(d.dataRoot, 'containers', id);
    const files = readdirSync(dir).filter((f) => f.startsWith('ctr.log'));
    const total = files.reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
    assert.ok(total > 0 && total <= 2.2 * 1024 * 1024, `${files.join(', ')}: ${total} bytes`);
    const tail = lines(ok(await d.polis(['logs', '--tail', '5', id])));
    assert.deepEqual(
      tail.map((l) => l.slice(0, 7)),
      ['0049996', '0049997', '0049998', '0049999', '0050000'],
    );
    for (const l of tail) assert.equal(l.length, 1008);
    ok(await d.polis(['rm', id]));
  });

  describe('docker verbs on a long-running container', () => {
    it('docker logs -f follows the output and ends when the container stops', async () => {
      const script = 'i=0; while true; do i=$((i+1)); echo "line $i"; sleep 0.2; done';
      ok(await d.polis(['run', '-d', '--name', 'follow', 'busybox', 'sh', '-c', script]));
      const child = spawn('docker', ['logs', '-f', 'follow'], {
        env: d.env(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      try {
        await waitFor('three lines', () => lines(out).length >= 3, 5000);
        assert.deepEqual(lines(out).slice(0, 3), ['line 1', 'line 2', 'line 3']);
        ok(await d.docker(['stop', '-t', '1', 'follow']));
        const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('running'), 5000))]);
        assert.equal(code, 0, 'docker logs -f ends with the container');
        const all = lines(out);
        assert.deepEqual(
          all,
          all.map((_, i) => `line ${i + 1}`),
          'every line once, in order',
        );
      } finally {
        child.kill('SIGKILL');
      }
      ok(await d.polis(['rm', 'follow']));
    });

    it('docker restart prints the name, gives a new process and a new StartedAt', async () => {
      ok(await d.polis(['run', '-d', '--name', 'rs', 'busybox', 'sleep', '300']));
      const [pid, started] = (await inspect('rs', '{{.State.Pid}} {{.State.StartedAt}}')).split(' ');
      assert.equal(ok(await d.docker(['restart', '-t', '1', 'rs'])), 'rs');
      const [pid2, started2, status] = (
        await inspect('rs', '{{.State.Pid}} {{.State.StartedAt}} {{.State.Status}}')
      ).split(' ');
      assert.equal(status, 'running');
      assert.notEqual(pid2, pid);
      assert.ok((started2 as string) > (started as string), `${started2} after ${started}`);
      assert.ok(!pidAlive(Number(pid)));
      ok(await d.polis(['rm', '-f', 'rs']));
    });
  });
});
