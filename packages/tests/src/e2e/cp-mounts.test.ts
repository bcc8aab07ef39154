import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestDaemon } from '../harness/daemon.js';
import { ok } from '../harness/expect.js';

/**
 * `cp` on a running container sees the container's own mounts: the files Polis binds (`/etc/hosts`,
 * `/etc/hostname`), the user's file binds and tmpfs mounts; it keeps read-only mounts read-only, never
 * replaces a mount point, and never writes outside the container's view.
 */
describe('cp through the mounts of a running container', () => {
  let d: TestDaemon;
  let work: string;
  const unique = `polis-cpm-${process.pid}-${Date.now()}`;
  const exec = async (c: string, script: string): Promise<string> =>
    ok(await d.docker(['exec', c, 'sh', '-c', script]), `exec ${script}`);

  before(async () => {
    d = await TestDaemon.start();
    await d.importBusybox();
    work = await mkdtemp(join(tmpdir(), 'polis-cpm-e2e-'));
    await writeFile(join(work, unique), 'from the host\n');
    await writeFile(join(work, 'bound.conf'), 'bound file\n');
  });

  after(async () => {
    await d?.cleanup();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('cp out of /etc/hosts and /etc/hostname reads the files Polis bound, not the rootfs', async () => {
    const c = 'etcfiles';
    const id = ok(await d.docker(['run', '-d', '--name', c, 'busybox', 'sleep', '300']));
    const inside = await exec(c, 'cat /etc/hosts');
    assert.match(inside, new RegExp(`\\s${id.slice(0, 12)}$`, 'm'), 'the container sees its own name');
    for (const cli of ['polis', 'docker'] as const) {
      const run = cli === 'polis' ? d.polis.bind(d) : d.docker.bind(d);
      const command = cli === 'polis' ? '"$POLIS_BIN"' : 'docker';
      const hosts = await d.shell(`${command} cp ${c}:/etc/hosts - | tar -xO`);
      assert.equal(ok(hosts, `${cli} cp hosts`), inside.trim());
      const out = join(work, `${cli}-hostname`);
      ok(await run(['cp', `${c}:/etc/hostname`, out]), `${cli} cp hostname`);
      assert.equal(await readFile(out, 'utf8'), `${id.slice(0, 12)}\n`);
    }
  });

  it('cp into a --tmpfs of a running container lands in the tmpfs (a read-only root too); out of it as well', async () => {
    const c = 'tmpfs';
    ok(
      await d.docker([
        'run',
        '-d',
        '--name',
        c,
        '--read-only',
        '--tmpfs',
        '/scratch',
        'busybox',
        'sleep',
        '300',
      ]),
    );
    ok(await d.polis(['cp', join(work, unique), `${c}:/scratch/`]), 'polis cp into the tmpfs');
    ok(await d.docker(['cp', join(work, unique), `${c}:/scratch/by-docker`]), 'docker cp into the tmpfs');
    assert.equal(
      await exec(
        c,
        `grep -w /scratch /proc/mounts | cut -d' ' -f3; cat /scratch/${unique} /scratch/by-docker`,
      ),
      'tmpfs\nfrom the host\nfrom the host',
    );
    await exec(c, 'echo made in tmpfs > /scratch/made');
    ok(await d.polis(['cp', `${c}:/scratch/made`, join(work, 'made')]), 'polis cp out of the tmpfs');
    assert.equal(await readFile(join(work, 'made'), 'utf8'), 'made in tmpfs\n');
    // The root stays read-only: the kernel's refusal is docker's 403 wording.
    const refused = await d.polis(['cp', join(work, unique), `${c}:/`]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /container rootfs is marked read-only/);
    // Links in the tmpfs resolve in the container's view, never to the host.
    await exec(c, 'ln -s /scratch/sub /scratch/up; ln -s / /scratch/slash; mkdir /scratch/sub');
    ok(await d.polis(['cp', join(work, unique), `${c}:/scratch/up/`]), 'cp through a link in the tmpfs');
    assert.equal(await exec(c, `cat /scratch/sub/${unique}`), 'from the host');
    const slash = await d.polis(['cp', join(work, unique), `${c}:/scratch/slash/`]);
    assert.match(slash.stderr, /read-only/, 'a link to / reaches the container root, which is read-only');
    assert.equal(existsSync(join('/', unique)), false, 'host / untouched');
  });

  it('a bound file is read through its mount, and replacing it or writing a read-only bind is refused', async () => {
    const c = 'binds';
    const roDir = await mkdtemp(join(tmpdir(), 'polis-cpm-ro-'));
    try {
      ok(
        await d.docker([
          'run',
          '-d',
          '--name',
          c,
          '-v',
          `${join(work, 'bound.conf')}:/etc/app.conf:ro`,
          '-v',
          `${roDir}:/ro:ro`,
          'busybox',
          'sleep',
          '300',
        ]),
      );
      const res = await d.polis(['cp', `${c}:/etc/app.conf`, join(work, 'app-out')]);
      ok(res, 'cp out of a file bind');
      assert.equal(await readFile(join(work, 'app-out'), 'utf8'), 'bound file\n');

      // A copy onto a bound file would unlink the mount point (which detaches it, seen from outside).
      const replace = await d.docker(['cp', join(work, unique), `${c}:/etc/app.conf`]);
      assert.notEqual(replace.code, 0);
      assert.match(replace.stderr, /cannot replace \/etc\/app\.conf: something is mounted there/);
      assert.equal(await exec(c, 'cat /etc/app.conf'), 'bound file', 'the bind is still in place');
      assert.equal(await readFile(join(work, 'bound.conf'), 'utf8'), 'bound file\n');
      const hosts = await d.polis(['cp', join(work, unique), `${c}:/etc/hosts`]);
      assert.notEqual(hosts.code, 0);
      assert.match(hosts.stderr, /something is mounted there/);
      assert.match(await exec(c, 'cat /etc/hosts'), /localhost/);

      const ro = await d.polis(['cp', join(work, unique), `${c}:/ro/`]);
      assert.notEqual(ro.code, 0);
      assert.match(ro.stderr, /read-only/);
      assert.deepEqual(await readdir(roDir), [], 'nothing written through the read-only bind');
    } finally {
      await rm(roDir, { recursive: true, force: true });
    }
  });

  it("the container's /proc and /sys are empty directories to cp, and never written", async () => {
    const c = 'kernelfs';
    ok(await d.docker(['run', '-d', '--name', c, 'busybox', 'sleep', '300']));
    const listed = await d.shell(`"$POLIS_BIN" cp ${c}:/proc - | tar -t`);
    assert.equal(ok(listed), 'proc/');
    const missing = await d.polis(['cp', `${c}:/proc/1/environ`, '-']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /Could not find the file \/proc\/1\/environ in container kernelfs/);
    const write = await d.docker(['cp', join(work, unique), `${c}:/sys/`]);
    assert.notEqual(write.code, 0);
    assert.match(write.stderr, /kernel file system/);
  });
});
