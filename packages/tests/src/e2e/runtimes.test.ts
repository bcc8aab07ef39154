import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { mountsUnder, TestDaemon } from '../harness/daemon.js';
import { lines, ok } from '../harness/expect.js';
import { processesMatching } from '../harness/wait.js';

/** The basic behaviours under each OCI runtime: chosen per daemon, or per container. */
function basics(label: string, daemonRuntime: 'crun' | 'runc', containerRuntime?: 'crun' | 'runc'): void {
  const runtime = containerRuntime ?? daemonRuntime;
  const runtimeFlag = containerRuntime ? ['--runtime', containerRuntime] : [];

  describe(label, () => {
    let d: TestDaemon;

    before(async () => {
      d = await TestDaemon.start({ runtime: daemonRuntime });
      await d.importBusybox();
    });

    after(async () => {
      await d?.cleanup();
    });

    it('run --rm echo prints and leaves nothing', async () => {
      const res = await d.polis(['run', '--rm', ...runtimeFlag, 'busybox', 'echo', `hello from ${runtime}`]);
      assert.equal(ok(res), `hello from ${runtime}`);
      assert.equal(ok(await d.polis(['ps', '-a', '-q'])), '');
    });

    it('the exit code comes through', async () => {
      const res = await d.polis(['run', '--rm', ...runtimeFlag, 'busybox', 'sh', '-c', 'exit 42']);
      assert.equal(res.code, 42, res.stderr);
    });

    it(`the container runs under ${runtime}`, async () => {
      const id = ok(await d.polis(['run', '-d', ...runtimeFlag, 'busybox', 'sleep', '300']));
      assert.equal(ok(await d.polis(['inspect', '-f', '{{.HostConfig.Runtime}}', id])), runtime);
      assert.ok(existsSync(join(d.execRoot, 'runtime', runtime, id)), `${runtime} state for ${id}`);
      const other = runtime === 'crun' ? 'runc' : 'crun';
      assert.ok(!existsSync(join(d.execRoot, 'runtime', other, id)), `no ${other} state for ${id}`);
      const conmons = processesMatching('conmon', id);
      assert.equal(conmons.length, 1);
      assert.ok(processesMatching('conmon', id, `/${runtime} `).length === 1, `conmon drives ${runtime}`);
      ok(await d.polis(['rm', '-f', id]));
    });

    it('stop -t 1 takes about a second and gives 137', async () => {
      const id = ok(await d.polis(['run', '-d', ...runtimeFlag, 'busybox', 'sleep', '300']));
      const t0 = Date.now();
      ok(await d.polis(['stop', '-t', '1', id]));
      const elapsed = Date.now() - t0;
      assert.ok(elapsed >= 900 && elapsed < 5000, `stop took ${elapsed} ms`);
      assert.equal(
        ok(await d.polis(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', id])),
        'exited 137',
      );
      ok(await d.polis(['rm', id]));
    });

    it('rm -f of a running container leaves no mount, process, folder or runtime state', async () => {
      const id = ok(await d.polis(['run', '-d', ...runtimeFlag, 'busybox', 'sleep', '300']));
      const pid = Number(ok(await d.polis(['inspect', '-f', '{{.State.Pid}}', id])));
      assert.ok(pid > 0 && existsSync(`/proc/${pid}`));
      ok(await d.polis(['rm', '-f', id]));
      assert.deepEqual(mountsUnder(d.dataRoot), []);
      assert.deepEqual(processesMatching(id), []);
      assert.ok(!existsSync(`/proc/${pid}`));
      assert.ok(!existsSync(join(d.dataRoot, 'containers', id)));
      assert.ok(!existsSync(join(d.execRoot, 'runtime', runtime, id)));
      assert.deepEqual(lines(ok(await d.polis(['ps', '-a', '-q']))), []);
    });
  });
}

basics('crun daemon', 'crun');
basics('runc daemon', 'runc');
basics('crun daemon, runc per container (run --runtime runc)', 'crun', 'runc');
