import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestDaemon, mountsUnder } from '../harness/daemon.js';
import { ok } from '../harness/expect.js';
import { makeContext } from '../harness/build-context.js';

describe('DOCKER_BUILDKIT=0 docker build against polisd', () => {
  let d: TestDaemon;
  let ctx: string;
  const build = (args: string) => d.shell(`DOCKER_BUILDKIT=0 docker build ${args}`, { timeoutMs: 300_000 });

  before(async () => {
    d = await TestDaemon.start();
    await d.importBusybox();
    ctx = await mkdtemp(join(tmpdir(), 'polis-build-'));
    await makeContext(ctx);
  });

  after(async () => {
    await d?.cleanup();
    if (ctx) await rm(ctx, { recursive: true, force: true });
  });

  it('builds a multi-stage Dockerfile; the config has the fields as Docker sets them; the image runs', async (t) => {
    const res = await build(`-t app:1 ${ctx}`);
    const out = ok(res, 'docker build');
    t.diagnostic(out);
    assert.match(out, /Step 1\/13 : FROM busybox AS maker/);
    assert.match(out, /Successfully built [0-9a-f]{12}/);
    assert.match(out, /Successfully tagged app:1/);
    const inspect = JSON.parse(ok(await d.docker(['image', 'inspect', 'app:1'])))[0];
    const c = inspect.Config;
    assert.ok(c.Env.includes('APP_HOME=/srv/app') && c.Env.includes('MODE=prod'), JSON.stringify(c.Env));
    assert.equal(c.WorkingDir, '/srv/app');
    assert.equal(c.User, 'runner');
    assert.deepEqual(c.ExposedPorts, { '8080/tcp': {}, '53/udp': {} });
    assert.deepEqual(c.Healthcheck, {
      Test: ['CMD-SHELL', 'test -f /srv/app/gen/greeting.txt'],
      Interval: 5e9,
      Timeout: 3e9,
      Retries: 2,
    });
    assert.deepEqual(c.Cmd, ['./app.sh']);
    const history = JSON.parse(
      ok(await d.docker(['history', '--no-trunc', '--format', '{{json .CreatedBy}}', 'app:1'])).split(
        '\n',
      )[0]!,
    );
    assert.equal(history, '/bin/sh -c #(nop)  CMD ["./app.sh"]');
    // Intermediate images are hidden, as Docker hides them, unless -a.
    const repos = ok(await d.docker(['images', '--format', '{{.Repository}}'])).split('\n');
    assert.ok(!repos.includes('<none>'), repos.join(','));
    assert.ok(
      ok(await d.docker(['images', '-a', '--format', '{{.Repository}}']))
        .split('\n')
        .includes('<none>'),
    );
    const run = ok(await d.docker(['run', '--rm', 'app:1']), 'docker run');
    assert.equal(run, 'hello from maker\n1234'.trim());
  });

  it('a second build is all cache hits; changing one copied file rebuilds from that step on', async () => {
    const again = ok(await build(`-t app:2 ${ctx}`));
    const steps = again.split('\n').filter((l) => l.startsWith('Step ')).length;
    const hits = again.split('\n').filter((l) => l.includes('---> Using cache')).length;
    // Every step but the two FROMs is a hit.
    assert.equal(hits, steps - 2, again);
    const id1 = ok(await d.docker(['image', 'inspect', '-f', '{{.Id}}', 'app:1']));
    const id2 = ok(await d.docker(['image', 'inspect', '-f', '{{.Id}}', 'app:2']));
    assert.equal(id1, id2);
    await writeFile(join(ctx, 'app.sh'), '#!/bin/sh\necho changed\n');
    const changed = ok(await build(`-t app:3 ${ctx}`));
    const blocks = changed.split(/^Step /m).slice(1);
    const copyApp = blocks.findIndex((b) => b.startsWith('8/13 : COPY app.sh'));
    assert.ok(copyApp > 0, changed);
    for (const b of blocks.slice(0, copyApp)) if (!b.includes(' : FROM ')) assert.match(b, /Using cache/, b);
    for (const b of blocks.slice(copyApp)) assert.doesNotMatch(b, /Using cache/, b);
    assert.equal(ok(await d.docker(['run', '--rm', 'app:3'])), 'changed');
    await makeContext(ctx);
  });

  it('.dockerignore is honoured and a symlink to /etc/passwd copies the link, not the host file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'polis-build-'));
    try {
      await writeFile(
        join(dir, 'Dockerfile'),
        'FROM busybox\nCOPY . /ctx/\nRUN ls -A /ctx | sort > /list\nCMD ["cat", "/list"]\n',
      );
      await writeFile(join(dir, '.dockerignore'), 'secret.txt\nlogs\n*.tmp\n');
      await writeFile(join(dir, 'secret.txt'), 'top secret');
      await writeFile(join(dir, 'kept.txt'), 'kept');
      await writeFile(join(dir, 'x.tmp'), 'tmp');
      await mkdir(join(dir, 'logs'));
      await writeFile(join(dir, 'logs', 'a.log'), 'log');
      await symlink('/etc/passwd', join(dir, 'passwd-link'));
      ok(await build(`-t ign ${dir}`));
      const listed = ok(await d.docker(['run', '--rm', 'ign'])).split('\n');
      assert.ok(listed.includes('kept.txt'), listed.join(','));
      for (const gone of ['secret.txt', 'x.tmp', 'logs']) assert.ok(!listed.includes(gone), listed.join(','));
      const link = ok(await d.docker(['run', '--rm', 'ign', 'readlink', '/ctx/passwd-link']));
      assert.equal(link, '/etc/passwd');
      // The link resolves inside the container, to busybox's own passwd, never the host's.
      const host = ok(await d.shell('cat /etc/passwd'));
      const inside = ok(await d.docker(['run', '--rm', 'ign', 'cat', '/ctx/passwd-link']));
      assert.notEqual(inside, host.trim());
      // Naming the link as a source copies the link itself.
      await writeFile(join(dir, 'Dockerfile'), 'FROM busybox\nCOPY passwd-link /p\n');
      ok(await build(`-t ign2 ${dir}`));
      assert.equal(ok(await d.docker(['run', '--rm', 'ign2', 'readlink', '/p'])), '/etc/passwd');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a failing RUN reports the exit code and leaves no container or mount', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'polis-build-'));
    try {
      await writeFile(join(dir, 'Dockerfile'), 'FROM busybox\nRUN echo before\nRUN echo oops >&2; exit 3\n');
      const before = ok(await d.docker(['ps', '-aq']));
      const res = await build(`-t fails ${dir}`);
      assert.notEqual(res.code, 0);
      assert.match(
        res.stdout + res.stderr,
        /The command '\/bin\/sh -c echo oops >&2; exit 3' returned a non-zero code: 3/,
      );
      assert.match(res.stdout, /oops/);
      assert.equal(ok(await d.docker(['ps', '-aq'])), before);
      assert.deepEqual(
        mountsUnder(d.dataRoot).filter((m) => !m.includes('/overlay/')),
        [],
      );
      assert.equal((await d.docker(['image', 'inspect', 'fails'])).code, 1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
