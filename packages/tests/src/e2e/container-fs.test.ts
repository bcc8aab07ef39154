import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { proc } from '@polis/core';
import { mountsUnder, TestDaemon } from '../harness/daemon.js';
import { lines, ok } from '../harness/expect.js';

/** What the scenario changes: one file added, one deleted, one appended to. */
const SCRIPT = 'echo x > /new; rm /bin/ls; echo y >> /etc/passwd';

/** Docker's `docker diff` for SCRIPT, in its walk order (parents of additions and deletions as C). */
const EXPECTED_DIFF = ['C /bin', 'D /bin/ls', 'C /etc/passwd', 'A /new'];

async function tarNames(path: string): Promise<string[]> {
  const { stdout } = await proc.run('tar', ['-tf', path]);
  return stdout.split('\n').filter((l) => l !== '');
}

describe('container file systems: diff, export, commit', () => {
  let d: TestDaemon;
  let scratch: string;

  before(async () => {
    d = await TestDaemon.start();
    await d.importBusybox();
    scratch = await mkdtemp(join(tmpdir(), 'polis-fs-'));
    ok(await d.polis(['run', '--name', 'changed', 'busybox', 'sh', '-c', SCRIPT]));
  });

  after(async () => {
    await d?.cleanup();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('polis diff and docker diff list the additions, changes and deletions as Docker does', async () => {
    const polis = lines(ok(await d.polis(['diff', 'changed'])));
    const docker = lines(ok(await d.docker(['diff', 'changed'])));
    assert.deepEqual(polis, EXPECTED_DIFF);
    assert.deepEqual(docker, EXPECTED_DIFF);
  });

  it('docker export and polis export hold the new file and not the deleted one; no mount is left', async () => {
    const id = ok(await d.polis(['inspect', '-f', '{{.Id}}', 'changed']));
    const viaDocker = join(scratch, 'docker.tar');
    ok(await d.docker(['export', '-o', viaDocker, 'changed']));
    const viaPolis = join(scratch, 'polis.tar');
    ok(await d.shell(`"$POLIS_BIN" export changed > ${viaPolis}`));
    for (const file of [viaDocker, viaPolis]) {
      const names = await tarNames(file);
      assert.ok(names.includes('new'), `${file}: ${names.slice(0, 20).join(' ')}`);
      assert.ok(names.includes('bin/busybox'), file);
      assert.ok(names.includes('etc/passwd'), file);
      assert.ok(!names.includes('bin/ls'), file);
      assert.ok(!names.some((n) => n.startsWith('/') || n.startsWith('./')), file);
      const { stdout } = await proc.run('tar', ['-xOf', file, 'etc/passwd']);
      assert.ok(stdout.endsWith('y\n'), stdout);
    }
    // The stopped container's root was mounted for the export only.
    assert.deepEqual(
      mountsUnder(d.dataRoot).filter((m) => m.includes(id)),
      [],
    );
    // A running container exports through its live mount, which stays.
    ok(
      await d.polis([
        'run',
        '-d',
        '--name',
        'exported-live',
        'busybox',
        'sh',
        '-c',
        'echo live > /live; sleep 300',
      ]),
    );
    const live = join(scratch, 'live.tar');
    for (let i = 0; i < 50; i++) {
      ok(await d.polis(['export', '-o', live, 'exported-live']));
      if ((await tarNames(live)).includes('live')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok((await tarNames(live)).includes('live'));
    assert.equal(ok(await d.polis(['inspect', '-f', '{{.State.Status}}', 'exported-live'])), 'running');
    ok(await d.polis(['rm', '-f', 'exported-live']));
  });

  it('docker commit -c -m makes an image that runs with the changes, the CMD and the comment', async () => {
    const id = ok(
      await d.docker([
        'commit',
        '-c',
        'CMD ["cat","/new"]',
        '-m',
        'added new',
        'changed',
        'committed:docker',
      ]),
    );
    assert.match(id, /^sha256:[0-9a-f]{64}$/);
    assert.equal(ok(await d.docker(['run', '--rm', 'committed:docker'])), 'x');
    const lsGone = await d.docker(['run', '--rm', 'committed:docker', 'ls', '-l', '/bin/ls']);
    assert.notEqual(lsGone.code, 0, lsGone.stdout);
    assert.equal(
      ok(await d.docker(['run', '--rm', 'committed:docker', 'tail', '-n', '1', '/etc/passwd'])),
      'y',
    );
    assert.equal(
      ok(await d.docker(['inspect', '-f', '{{json .Config.Cmd}}', 'committed:docker'])),
      '["cat","/new"]',
    );
    const history = lines(
      ok(await d.docker(['history', '--no-trunc', '--format', '{{.Comment}}', 'committed:docker'])),
    );
    assert.equal(history[0], 'added new');
    // One layer on top of busybox's.
    const layers = (name: string): Promise<string> =>
      d.docker(['inspect', '-f', '{{len .RootFS.Layers}}', name]).then((r) => ok(r));
    assert.equal(Number(await layers('committed:docker')), Number(await layers('busybox')) + 1);
    // The diff of a container of the new image starts empty: the layer holds exactly the changes.
    ok(await d.docker(['create', '--name', 'from-commit', 'committed:docker']));
    assert.deepEqual(lines(ok(await d.docker(['diff', 'from-commit']))), []);
    ok(await d.docker(['rm', 'from-commit']));
  });

  it('polis commit keeps the container config, applies changes and records the author', async () => {
    ok(
      await d.polis([
        'run',
        '--name',
        'configured',
        '-e',
        'FOO=bar',
        '-w',
        '/tmp',
        'busybox',
        'sh',
        '-c',
        SCRIPT,
      ]),
    );
    const id = ok(
      await d.polis([
        'commit',
        '-a',
        'A. Author <a@example.com>',
        '-m',
        'polis made',
        '-c',
        'ENV MORE=1',
        '-c',
        'EXPOSE 8080',
        '-c',
        'LABEL stage=committed',
        'configured',
        'committed:polis',
      ]),
    );
    assert.match(id, /^sha256:[0-9a-f]{64}$/);
    const out = ok(
      await d.polis([
        'run',
        '--rm',
        'committed:polis',
        'sh',
        '-c',
        'cat /new; pwd; echo $FOO $MORE; ls /bin/ls || true',
      ]),
    );
    assert.deepEqual(lines(out), ['x', '/tmp', 'bar 1']);
    const info = JSON.parse(ok(await d.polis(['image', 'inspect', 'committed:polis']))) as {
      Author: string;
      Comment: string;
      Config: { ExposedPorts?: Record<string, object>; Labels?: Record<string, string>; WorkingDir: string };
    }[];
    assert.equal(info[0]?.Author, 'A. Author <a@example.com>');
    assert.deepEqual(Object.keys(info[0]?.Config.ExposedPorts ?? {}), ['8080/tcp']);
    assert.equal(info[0]?.Config.Labels?.stage, 'committed');
    const bad = await d.polis(['commit', '-c', 'RUN make', 'configured']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /RUN is not a valid change command/);
    ok(await d.polis(['rm', 'configured']));
    // A container that never ran commits as its image plus an empty layer.
    ok(await d.polis(['create', '--name', 'fresh', 'busybox', 'true']));
    ok(await d.polis(['commit', 'fresh', 'committed:fresh']));
    ok(await d.polis(['run', '--rm', 'committed:fresh', 'true']));
    ok(await d.polis(['rm', 'fresh']));
  });

  it('commit pauses a running container during the capture, and it keeps running afterwards', async () => {
    ok(await d.polis(['run', '-d', '--name', 'busy', 'busybox', 'sh', '-c', 'echo 1 > /made; sleep 300']));
    const since = Math.floor(Date.now() / 1000) - 1;
    for (let i = 0; i < 50 && (await d.polis(['exec', 'busy', 'test', '-f', '/made'])).code !== 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    ok(await d.docker(['commit', 'busy', 'committed:live']));
    ok(await d.docker(['commit', '--pause=false', 'busy', 'committed:unpaused']));
    const until = Math.floor(Date.now() / 1000) + 1;
    const actions = lines(
      ok(
        await d.docker([
          'events',
          '--since',
          String(since),
          '--until',
          String(until),
          '--filter',
          'container=busy',
          '--format',
          '{{.Action}}',
        ]),
      ),
    ).filter((a) => ['pause', 'unpause', 'commit'].includes(a));
    assert.deepEqual(actions, ['pause', 'commit', 'unpause', 'commit']);
    assert.equal(ok(await d.docker(['inspect', '-f', '{{.State.Status}}', 'busy'])), 'running');
    assert.equal(ok(await d.polis(['exec', 'busy', 'echo', 'alive'])), 'alive');
    assert.equal(ok(await d.polis(['run', '--rm', 'committed:live', 'cat', '/made'])), '1');
    ok(await d.polis(['rm', '-f', 'busy']));
  });

  it('a directory removed and made again is opaque: diff lists what it lost, commit hides the old content', async () => {
    ok(
      await d.polis([
        'run',
        '--name',
        'filler',
        'busybox',
        'sh',
        '-c',
        'mkdir /data && echo 1 > /data/a && echo 2 > /data/b',
      ]),
    );
    ok(await d.polis(['commit', 'filler', 'committed:filled']));
    ok(
      await d.polis([
        'run',
        '--name',
        'replacer',
        'committed:filled',
        'sh',
        '-c',
        'rm -rf /data && mkdir /data && echo 3 > /data/c',
      ]),
    );
    assert.deepEqual(lines(ok(await d.docker(['diff', 'replacer']))), [
      'C /data',
      'D /data/a',
      'D /data/b',
      'A /data/c',
    ]);
    ok(await d.docker(['commit', 'replacer', 'committed:replaced']));
    assert.deepEqual(lines(ok(await d.polis(['run', '--rm', 'committed:replaced', 'ls', '/data']))), ['c']);
    ok(await d.polis(['rm', 'filler', 'replacer']));
  });
});
