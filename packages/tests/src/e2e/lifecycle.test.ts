import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { mountsUnder, TestDaemon } from '../harness/daemon.js';
import { lines, ok } from '../harness/expect.js';
import { processesMatching, waitFor } from '../harness/wait.js';

describe('container lifecycle', () => {
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

  it('create, start, stop -t 1: stop takes about a second and the exit code is 137', async () => {
    const id = ok(await d.polis(['create', '--name', 'sleeper', 'busybox', 'sleep', '300']));
    assert.match(id, /^[0-9a-f]{64}$/);
    assert.equal(await inspect('sleeper', '{{.State.Status}}'), 'created');
    assert.equal(ok(await d.polis(['start', 'sleeper'])), 'sleeper');
    assert.equal(await inspect('sleeper', '{{.State.Status}}'), 'running');
    const t0 = Date.now();
    assert.equal(ok(await d.polis(['stop', '-t', '1', 'sleeper'])), 'sleeper');
    const elapsed = Date.now() - t0;
    assert.ok(elapsed >= 900 && elapsed < 5000, `stop took ${elapsed} ms`);
    assert.equal(
      await inspect('sleeper', '{{.State.Status}} {{.State.ExitCode}} {{.State.Running}}'),
      'exited 137 false',
    );
    ok(await d.polis(['rm', 'sleeper']));
  });

  it('kill -s USR1 reaches a trap in the container', async () => {
    const script = 'trap "echo got-usr1; exit 0" USR1; echo ready; while true; do sleep 0.1; done';
    ok(await d.polis(['run', '-d', '--name', 'trapper', 'busybox', 'sh', '-c', script]));
    await waitFor('the trap to be set', async () =>
      (await d.polis(['logs', 'trapper'])).stdout.includes('ready'),
    );
    assert.equal(ok(await d.polis(['kill', '-s', 'USR1', 'trapper'])), 'trapper');
    assert.equal(ok(await d.polis(['wait', 'trapper'])), '0');
    assert.deepEqual(lines(ok(await d.polis(['logs', 'trapper']))), ['ready', 'got-usr1']);
    assert.equal(await inspect('trapper', '{{.State.Status}} {{.State.ExitCode}}'), 'exited 0');
    ok(await d.polis(['rm', 'trapper']));
  });

  it('kill (SIGKILL) returns once the container has exited with 137', async () => {
    ok(await d.polis(['run', '-d', '--name', 'killed', 'busybox', 'sleep', '300']));
    assert.equal(ok(await d.polis(['kill', 'killed'])), 'killed');
    assert.equal(await inspect('killed', '{{.State.Status}} {{.State.ExitCode}}'), 'exited 137');
    ok(await d.polis(['rm', 'killed']));
    // Through the API with no CLI start-up in between, as Docker: POST /kill answers after the exit.
    for (let i = 0; i < 3; i++) {
      const { Id } = await d.client.containers.create({ Image: 'busybox', Cmd: ['sleep', '300'] });
      try {
        await d.client.containers.start(Id);
        await d.client.containers.kill(Id);
        const { State } = await d.client.containers.inspect(Id);
        assert.deepEqual([State.Status, State.ExitCode], ['exited', 137], `attempt ${i + 1}`);
      } finally {
        await d.client.containers.remove(Id, { force: true });
      }
    }
  });

  it('restart gives a new StartedAt and the container keeps running', async () => {
    ok(await d.polis(['run', '-d', '--name', 'restarted', 'busybox', 'sleep', '300']));
    const before = await inspect('restarted', '{{.State.StartedAt}}');
    const pid = await inspect('restarted', '{{.State.Pid}}');
    assert.equal(ok(await d.polis(['restart', '-t', '1', 'restarted'])), 'restarted');
    const [status, startedAt, newPid] = (
      await inspect('restarted', '{{.State.Status}} {{.State.StartedAt}} {{.State.Pid}}')
    ).split(' ');
    assert.equal(status, 'running');
    assert.notEqual(startedAt, before);
    assert.ok(Date.parse(startedAt!) > Date.parse(before), `${startedAt} after ${before}`);
    assert.notEqual(newPid, pid);
    ok(await d.polis(['rm', '-f', 'restarted']));
  });

  it('pause and unpause show in inspect and ps', async () => {
    ok(await d.polis(['run', '-d', '--name', 'pausable', 'busybox', 'sleep', '300']));
    assert.equal(ok(await d.polis(['pause', 'pausable'])), 'pausable');
    assert.equal(await inspect('pausable', '{{.State.Status}} {{.State.Paused}}'), 'paused true');
    const ps = ok(await d.polis(['ps', '--filter', 'name=pausable', '--format', '{{.Status}}']));
    assert.match(ps, /^Up .*\(Paused\)$/);
    assert.equal(ok(await d.polis(['unpause', 'pausable'])), 'pausable');
    assert.equal(await inspect('pausable', '{{.State.Status}} {{.State.Paused}}'), 'running false');
    assert.doesNotMatch(
      ok(await d.polis(['ps', '--filter', 'name=pausable', '--format', '{{.Status}}'])),
      /Paused/,
    );
    ok(await d.polis(['rm', '-f', 'pausable']));
  });

  it('rename: the new name resolves, the old one no more', async () => {
    const id = ok(await d.polis(['create', '--name', 'oldname', 'busybox', 'true']));
    ok(await d.polis(['rename', 'oldname', 'newname']));
    assert.equal(await inspect('newname', '{{.Name}} {{.Id}}'), `/newname ${id}`);
    const old = await d.polis(['inspect', 'oldname']);
    assert.notEqual(old.code, 0);
    assert.match(old.stderr, /No such (object|container): oldname/);
    ok(await d.polis(['rm', 'newname']));
  });

  it('wait prints the exit code', async () => {
    ok(await d.polis(['run', '-d', '--name', 'waited', 'busybox', 'sh', '-c', 'sleep 0.3; exit 5']));
    const res = await d.polis(['wait', 'waited']);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, '5\n');
    ok(await d.polis(['rm', 'waited']));
  });

  it('rm -f of a running container leaves no mount, no conmon and no directory', async () => {
    const id = ok(await d.polis(['run', '-d', 'busybox', 'sleep', '300']));
    const dir = join(d.dataRoot, 'containers', id);
    assert.ok(existsSync(dir));
    assert.ok(mountsUnder(dir).length > 0, 'the rootfs is mounted while running');
    assert.ok(processesMatching('conmon', id).length > 0, 'conmon runs while the container runs');
    const pid = Number(await inspect(id, '{{.State.Pid}}'));
    ok(await d.polis(['rm', '-f', id]));
    assert.deepEqual(mountsUnder(dir), []);
    assert.deepEqual(mountsUnder(d.dataRoot), []);
    assert.deepEqual(processesMatching('conmon', id), []);
    assert.ok(!existsSync(dir), `${dir} is gone`);
    assert.ok(!existsSync(`/proc/${pid}`), 'the container process is gone');
    assert.ok(!lines(ok(await d.polis(['ps', '-a', '-q', '--no-trunc']))).includes(id));
  });

  describe('logs', () => {
    before(async () => {
      ok(
        await d.polis([
          'run',
          '--name',
          'talker',
          'busybox',
          'sh',
          '-c',
          'for i in 1 2 3 4 5; do echo line$i; done',
        ]),
      );
    });

    after(async () => {
      await d.polis(['rm', '-f', 'talker']);
    });

    it('prints everything by default', async () => {
      assert.deepEqual(lines(ok(await d.polis(['logs', 'talker']))), [
        'line1',
        'line2',
        'line3',
        'line4',
        'line5',
      ]);
    });

    it('--tail 2 prints the last two lines', async () => {
      assert.equal(ok(await d.polis(['logs', '--tail', '2', 'talker'])), 'line4\nline5');
    });

    it('-t prefixes RFC3339 timestamps', async () => {
      const out = lines(ok(await d.polis(['logs', '-t', 'talker'])));
      assert.equal(out.length, 5);
      for (const [i, line] of out.entries()) {
        const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z) (.*)$/.exec(line);
        assert.ok(m, `timestamped: ${line}`);
        assert.equal(m[3], `line${i + 1}`);
        assert.ok(Math.abs(Date.parse(m[1]!) - Date.now()) < 120_000, `recent: ${m[1]}`);
      }
    });

    it('--since a time in the future prints nothing; --since the past prints all', async () => {
      const future = await d.polis(['logs', '--since', '2099-01-01T00:00:00Z', 'talker']);
      assert.equal(future.code, 0, future.stderr);
      assert.equal(future.stdout, '');
      assert.equal(lines(ok(await d.polis(['logs', '--since', '10m', 'talker']))).length, 5);
    });

    it('a reader that closes early ends the CLI quietly', async () => {
      // More than a pipe buffer, so that the CLI is still writing when `head` goes.
      ok(await d.polis(['run', '--name', 'chatty', 'busybox', 'seq', '1', '200000']));
      const res = await d.shell('"$POLIS_BIN" logs chatty | head -n 1');
      await d.polis(['rm', '-f', 'chatty']);
      assert.match(res.stdout, /^1\n/, `stderr: ${res.stderr}`);
      assert.doesNotMatch(res.stderr, /EPIPE|Unhandled|^\s+at /m, res.stderr);
    });
  });

  describe('references and ps filters', () => {
    let webId: string;
    let jobId: string;

    before(async () => {
      // Earlier tests clean up after themselves, but a failed one must not skew these listings.
      const leftovers = lines(ok(await d.polis(['ps', '-a', '-q'])));
      if (leftovers.length > 0) ok(await d.polis(['rm', '-f', ...leftovers]));
      webId = ok(
        await d.polis(['run', '-d', '--name', 'web-frontend', '-l', 'role=web', 'busybox', 'sleep', '300']),
      );
      ok(await d.polis(['run', '--name', 'batch-job', '-l', 'role=batch', 'busybox', 'true']));
      jobId = await inspect('batch-job', '{{.Id}}');
    });

    after(async () => {
      await d.polis(['rm', '-f', 'web-frontend', 'batch-job']);
    });

    it('a unique id prefix resolves', async () => {
      assert.equal(await inspect(webId.slice(0, 12), '{{.Name}}'), '/web-frontend');
      assert.equal(await inspect(webId.slice(0, 5), '{{.Name}}'), '/web-frontend');
      assert.equal(await inspect(webId, '{{.Name}}'), '/web-frontend');
    });

    it('a name prefix does not resolve (names must be exact)', async () => {
      const res = await d.polis(['inspect', 'web-front']);
      assert.notEqual(res.code, 0);
      assert.match(res.stderr, /No such (object|container): web-front/);
      const stop = await d.polis(['stop', 'web-front']);
      assert.notEqual(stop.code, 0);
      assert.match(stop.stderr, /No such container: web-front/);
    });

    it('ps --filter status=exited lists only exited containers', async () => {
      const names = lines(
        ok(await d.polis(['ps', '-a', '--filter', 'status=exited', '--format', '{{.Names}}'])),
      );
      assert.deepEqual(names, ['batch-job']);
      const running = lines(
        ok(await d.polis(['ps', '-a', '--filter', 'status=running', '--format', '{{.Names}}'])),
      );
      assert.deepEqual(running, ['web-frontend']);
    });

    it('ps --filter name= matches a part of the name', async () => {
      assert.deepEqual(lines(ok(await d.polis(['ps', '-a', '--filter', 'name=frontend', '-q']))), [
        webId.slice(0, 12),
      ]);
      assert.deepEqual(
        lines(ok(await d.polis(['ps', '-a', '--filter', 'name=nothing-like-this', '-q']))),
        [],
      );
    });

    it('ps --filter label= matches key and key=value', async () => {
      assert.deepEqual(lines(ok(await d.polis(['ps', '-a', '--filter', 'label=role=batch', '-q']))), [
        jobId.slice(0, 12),
      ]);
      const both = lines(ok(await d.polis(['ps', '-a', '--filter', 'label=role', '--format', '{{.Names}}'])));
      assert.deepEqual(both.sort(), ['batch-job', 'web-frontend']);
    });

    it('ps without -a shows running only; -q prints short ids', async () => {
      assert.deepEqual(lines(ok(await d.polis(['ps', '-q']))), [webId.slice(0, 12)]);
      assert.deepEqual(lines(ok(await d.polis(['ps', '--format', '{{.Names}}']))), ['web-frontend']);
    });

    it('ps --format json prints one JSON object a line', async () => {
      const rows = lines(ok(await d.polis(['ps', '-a', '--format', 'json']))).map(
        (l) => JSON.parse(l) as Record<string, string>,
      );
      assert.deepEqual(rows.map((r) => r.Names).sort(), ['batch-job', 'web-frontend']);
      const web = rows.find((r) => r.Names === 'web-frontend');
      assert.equal(web?.ID, webId.slice(0, 12));
      assert.equal(web?.State, 'running');
      assert.equal(web?.Image, 'busybox');
      assert.match(web?.Status ?? '', /^Up /);
      const job = rows.find((r) => r.Names === 'batch-job');
      assert.equal(job?.State, 'exited');
      assert.match(job?.Status ?? '', /^Exited \(0\) /);
    });
  });
});
