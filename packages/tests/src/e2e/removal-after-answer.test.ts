import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { mountsUnder, TestDaemon } from '../harness/daemon.js';
import { ok } from '../harness/expect.js';
import { freePort } from '../harness/network.js';
import { waitFor } from '../harness/wait.js';

/**
 * A `--rm` container is answered removed as soon as its exit is recorded; its mounts, netns, ports,
 * directories and anonymous volumes are let go right after (runtime lifecycle/cleanup.ts). What a user
 * does next must never see the difference, and a crash in between loses nothing.
 */
describe('run --rm: removal after the answer', () => {
  let d: TestDaemon;

  before(async () => {
    d = await TestDaemon.start();
    await d.importBusybox();
  });

  after(async () => {
    delete process.env.POLIS_TEST_CRASH_AT;
    await d?.cleanup();
  });

  const finishing = (): number => d.log.split('finishing the cleanup of a removed container').length - 1;

  it('the name, a published host port and a named volume are free for the very next command', async () => {
    const port = await freePort();
    for (let i = 0; i < 3; i++) {
      const res = await d.polis([
        'run',
        '--rm',
        '--name',
        'again',
        '-p',
        `127.0.0.1:${port}:80`,
        '-v',
        'rmvol:/data',
        'busybox',
        'sh',
        '-c',
        `echo ${i} >> /data/runs; wc -l < /data/runs`,
      ]);
      assert.equal(ok(res), String(i + 1), res.stderr);
    }
    // The volume is in use by nobody now: removing it at once succeeds.
    ok(await d.polis(['volume', 'rm', 'rmvol']));
    assert.equal(ok(await d.polis(['ps', '-a', '-q'])), '');
  });

  it('an anonymous volume of a --rm container is gone from volume ls right after the run', async () => {
    const before = ok(await d.polis(['volume', 'ls', '-q']));
    ok(await d.polis(['run', '--rm', '-v', '/anon', 'busybox', 'true']));
    assert.equal(ok(await d.polis(['volume', 'ls', '-q'])), before);
  });

  it('once its cleanup is done nothing of it is left: mounts, netns, container folder', async () => {
    const id = ok(await d.polis(['run', '-d', '--rm', 'busybox', 'sleep', '0.3']));
    await waitFor(
      'the --rm container to be removed',
      async () => ok(await d.polis(['ps', '-a', '-q'])) === '',
    );
    await d.cleanupsSettled();
    assert.deepEqual(mountsUnder(d.dataRoot), []);
    assert.ok(!existsSync(`/run/netns/polis-${id}`), 'netns deleted');
    assert.deepEqual(readdirSync(join(d.dataRoot, 'containers')), []);
  });

  it('polisd killed between the answer and the cleanup finishes the cleanup when it comes back', async () => {
    ok(await d.polis(['create', '--rm', '--name', 'crashy', 'busybox', 'sh', '-c', 'sleep 1']));
    const id = ok(await d.polis(['inspect', '-f', '{{.Id}}', 'crashy']));
    await d.stopProcess('SIGTERM');
    process.env.POLIS_TEST_CRASH_AT = 'after-retire';
    try {
      await d.startProcess();
    } finally {
      delete process.env.POLIS_TEST_CRASH_AT;
    }
    const child = d.child;
    ok(await d.polis(['start', 'crashy']));
    await waitFor(
      'polisd to kill itself after retiring crashy',
      () => child?.signalCode === 'SIGKILL',
      15_000,
    );
    // The container was retired, not cleaned up: its mount and folder are still there.
    assert.ok(existsSync(join(d.dataRoot, 'containers', id)), 'container folder kept until the cleanup');
    assert.ok(
      mountsUnder(d.dataRoot).some((m) => m.includes(id)),
      'rootfs still mounted',
    );
    const before = finishing();
    await d.startProcess();
    assert.equal(finishing(), before + 1, d.log);
    assert.ok(!existsSync(join(d.dataRoot, 'containers', id)), 'container folder removed');
    assert.deepEqual(mountsUnder(d.dataRoot), []);
    assert.ok(!existsSync(`/run/netns/polis-${id}`), 'netns deleted');
    assert.equal(ok(await d.polis(['ps', '-a', '-q'])), '');
    // The name is free.
    ok(await d.polis(['run', '--rm', '--name', 'crashy', 'busybox', 'true']));
    // Its cleanup was recorded as done: a further restart has none to finish.
    await d.stopProcess('SIGTERM');
    await d.startProcess();
    assert.equal(finishing(), before + 1, d.log);
  });
});
