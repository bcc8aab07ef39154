import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { mountsUnder, TestDaemon } from '../harness/daemon.js';
import { lines, ok } from '../harness/expect.js';
import { rawRequest } from '../harness/http.js';
import { runCommand } from '../harness/run.js';

const NO_SPACE = 'no space left on the data root';

/**
 * A full data root (a 20 MB tmpfs filled from the host): creating a container fails with a 507 and
 * leaves nothing behind, and once space is freed the same name works and nothing made before is lost.
 */
describe('a full data root', () => {
  let d: TestDaemon;
  let filler = '';
  let runningPid = '';
  const containerDirs = (): string[] => readdirSync(join(d.dataRoot, 'containers')).sort();
  const names = async (): Promise<string[]> =>
    lines(ok(await d.polis(['ps', '-a', '--format', '{{.Names}} {{.Status}}'])))
      .map((l) => l.split(' ')[0] as string)
      .sort();

  before(async () => {
    d = await TestDaemon.start({ dataRootTmpfs: '20m' });
    await d.importBusybox();
    ok(await d.polis(['create', '--name', 'made', '-e', 'KEEP=1', 'busybox', 'sleep', '300']));
    ok(await d.polis(['run', '-d', '--name', 'runs', 'busybox', 'sleep', '300']));
    ok(await d.polis(['create', '--name', 'spare', 'busybox', 'true']));
    assert.equal(
      (await d.polis(['run', '--name', 'ended', 'busybox', 'sh', '-c', 'echo before; exit 3'])).code,
      3,
    );
    runningPid = ok(await d.polis(['inspect', '-f', '{{.State.Pid}}', 'runs']));
    filler = join(d.dataRoot, 'filler');
    // dd stops at ENOSPC with every page of the tmpfs taken.
    const dd = await runCommand('dd', ['if=/dev/zero', `of=${filler}`, 'bs=1M']);
    assert.match(dd.stderr, /No space left on device/, dd.stderr);
  });

  after(async () => {
    if (filler) await rm(filler, { force: true });
    await d?.cleanup();
  });

  it('create answers 507 "no space left on the data root" and leaves nothing half made', async () => {
    const dirsBefore = containerDirs();
    const mountsBefore = mountsUnder(d.dataRoot).sort();
    const res = await rawRequest(d.socket, 'POST', '/containers/create?name=xx', {
      body: JSON.stringify({ Image: 'busybox', Cmd: ['true'] }),
      headers: { 'Content-Type': 'application/json' },
    });
    assert.equal(res.status, 507, res.text);
    assert.deepEqual(res.json, { message: NO_SPACE, code: 'no_space' });

    const cli = await d.polis(['create', '--name', 'xx', 'busybox', 'true']);
    assert.notEqual(cli.code, 0);
    assert.match(cli.stderr, new RegExp(NO_SPACE));

    assert.deepEqual(await names(), ['ended', 'made', 'runs', 'spare']);
    assert.deepEqual(containerDirs(), dirsBefore, 'no container directory was left');
    assert.deepEqual(mountsUnder(d.dataRoot).sort(), mountsBefore, 'no rootfs mount was left');
    assert.equal((await d.polis(['inspect', 'xx'])).code, 1, 'no record named xx');
  });

  it('start answers 507 too, and leaves no rootfs mount behind', async () => {
    const mountsBefore = mountsUnder(d.dataRoot).sort();
    const res = await d.polis(['start', 'made']);
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, new RegExp(NO_SPACE));
    assert.deepEqual(mountsUnder(d.dataRoot).sort(), mountsBefore);
    assert.equal(ok(await d.polis(['inspect', '-f', '{{.State.Status}}', 'made'])), 'created');
  });

  it('rm of a stopped container works on the full disk: removal is what frees space', async () => {
    const id = ok(await d.polis(['inspect', '-f', '{{.Id}}', 'spare']));
    ok(await d.polis(['rm', 'spare']), 'rm spare');
    assert.equal((await d.polis(['inspect', 'spare'])).code, 1, 'spare is gone');
    assert.ok(!containerDirs().includes(id), 'its directory is gone');
  });

  it('once space is freed the same name is free, and everything made before is intact', async () => {
    await rm(filler, { force: true });
    const id = ok(await d.polis(['create', '--name', 'xx', 'busybox', 'echo', 'after']), 'create xx');
    ok(await d.polis(['start', '-a', 'xx']), 'start xx');
    assert.equal(ok(await d.polis(['logs', id])), 'after');

    const state = async (name: string): Promise<string> =>
      ok(await d.polis(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}} {{.State.Pid}}', name]));
    // Its start failed on the full disk: recorded as any failed start is (Docker's 128), still created.
    assert.equal(await state('made'), 'created 128 0');
    assert.equal(await state('runs'), `running 0 ${runningPid}`);
    assert.equal(await state('ended'), 'exited 3 0');
    assert.equal(ok(await d.polis(['logs', 'ended'])), 'before');
    assert.deepEqual(
      lines(ok(await d.polis(['inspect', '-f', '{{range .Config.Env}}{{println .}}{{end}}', 'made']))).filter(
        (e) => e.startsWith('KEEP='),
      ),
      ['KEEP=1'],
    );
    ok(await d.polis(['start', 'made']), 'start made');
    assert.deepEqual(await names(), ['ended', 'made', 'runs', 'xx']);
  });
});
