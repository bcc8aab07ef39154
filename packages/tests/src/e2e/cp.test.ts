import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chown, mkdir, mkdtemp, readFile, readdir, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestDaemon, mountsUnder } from '../harness/daemon.js';
import { ok } from '../harness/expect.js';
import { tarOf } from '../harness/tar.js';

/** `docker cp` / `polis cp` both ways, on running and stopped containers, and the escapes they must not allow. */
describe('copy in and out', () => {
  let d: TestDaemon;
  let work: string;
  const unique = `polis-cp-${process.pid}-${Date.now()}`;
  const exec = async (c: string, script: string): Promise<string> =>
    ok(await d.docker(['exec', c, 'sh', '-c', script]), `exec ${script}`);

  before(async () => {
    d = await TestDaemon.start();
    await d.importBusybox();
    work = await mkdtemp(join(tmpdir(), 'polis-cp-e2e-'));
    await writeFile(join(work, 'hello.txt'), 'hello from the host\n');
    await mkdir(join(work, 'tree', 'sub'), { recursive: true });
    await writeFile(join(work, 'tree', 'a'), 'A');
    await writeFile(join(work, 'tree', 'sub', 'b'), 'B');
  });

  after(async () => {
    await d?.cleanup();
    if (work) await rm(work, { recursive: true, force: true });
  });

  for (const cli of ['docker', 'polis'] as const) {
    const run = (args: string[]) => (cli === 'docker' ? d.docker(args) : d.polis(args));

    it(`${cli} cp: a file and a directory in and out of a running container`, async () => {
      const c = `${cli}-running`;
      ok(await d.docker(['run', '-d', '--name', c, 'busybox', 'sleep', '300']));
      ok(await run(['cp', join(work, 'hello.txt'), `${c}:/tmp/`]), 'cp file in');
      assert.equal(await exec(c, 'cat /tmp/hello.txt'), 'hello from the host');
      ok(await run(['cp', join(work, 'tree'), `${c}:/srv`]), 'cp dir in');
      assert.equal(await exec(c, 'cat /srv/a /srv/sub/b'), 'AB');
      await exec(c, 'echo made inside > /tmp/inside.txt; mkdir -p /out/deep; echo x > /out/deep/y');
      const out = join(work, `${cli}-out`);
      await mkdir(out);
      ok(await run(['cp', `${c}:/tmp/inside.txt`, join(out, 'copied.txt')]), 'cp file out');
      assert.equal(await readFile(join(out, 'copied.txt'), 'utf8'), 'made inside\n');
      ok(await run(['cp', `${c}:/out`, out]), 'cp dir out');
      assert.equal(await readFile(join(out, 'out', 'deep', 'y'), 'utf8'), 'x\n');
      ok(await run(['cp', `${c}:/out/.`, join(out, 'contents')]), 'cp dir contents out');
      assert.deepEqual(await readdir(join(out, 'contents')), ['deep']);
    });

    it(`${cli} cp: in and out of a stopped container`, async () => {
      const c = `${cli}-stopped`;
      ok(await d.docker(['run', '--name', c, 'busybox', 'sh', '-c', 'echo kept > /kept.txt']));
      ok(await run(['cp', join(work, 'hello.txt'), `${c}:/hello.txt`]), 'cp into a stopped container');
      const out = join(work, `${cli}-stopped-out`);
      await mkdir(out);
      ok(await run(['cp', `${c}:/kept.txt`, out]), 'cp out of a stopped container');
      assert.equal(await readFile(join(out, 'kept.txt'), 'utf8'), 'kept\n');
      ok(await d.docker(['start', '-a', c]));
      ok(await d.docker(['rm', c]));
      const again = `${cli}-created`;
      ok(await d.docker(['create', '--name', again, 'busybox', 'cat', '/hello.txt']));
      ok(await run(['cp', join(work, 'hello.txt'), `${again}:/hello.txt`]));
      const started = await d.docker(['start', '-a', again]);
      assert.equal(started.stdout, 'hello from the host\n');
    });

    it(`${cli} cp: tar streams with -`, async () => {
      const c = `${cli}-streams`;
      ok(await d.docker(['run', '-d', '--name', c, 'busybox', 'sleep', '300']));
      const bin = cli === 'docker' ? 'docker' : '"$POLIS_BIN"';
      ok(await d.shell(`tar -C '${work}' -cf - tree | ${bin} cp - ${c}:/tmp`), 'cp - in');
      assert.equal(await exec(c, 'cat /tmp/tree/sub/b'), 'B');
      const listed = ok(await d.shell(`${bin} cp ${c}:/tmp/tree - | tar -tf -`), 'cp - out');
      assert.deepEqual(listed.split('\n').sort(), ['tree/', 'tree/a', 'tree/sub/', 'tree/sub/b']);
    });

    it(`${cli} cp: a missing path is an error in docker's words`, async () => {
      const c = `${cli}-running`;
      const res = await run(['cp', `${c}:/no/such/file`, work]);
      assert.notEqual(res.code, 0);
      // The daemon's words (a 404), as docker's own daemon puts them.
      assert.match(res.stderr, new RegExp(`Could not find the file /no/such/file in container ${c}`));
      const missing = await run(['cp', join(work, 'hello.txt'), `nosuchcontainer:/tmp`]);
      assert.notEqual(missing.code, 0);
      assert.match(missing.stderr, /No such container: nosuchcontainer/);
    });
  }

  it("-a gives the container user's owner, without it the archive's; -L copies what a link points at", async () => {
    const c = 'owners';
    ok(await d.docker(['run', '-d', '--name', c, '--user', '1234:2345', 'busybox', 'sleep', '300']));
    const owned = join(work, 'owned.txt');
    await writeFile(owned, 'mine\n');
    await chown(owned, 4321, 5432);
    for (const cli of ['docker', 'polis'] as const) {
      const run = (args: string[]) => (cli === 'docker' ? d.docker(args) : d.polis(args));
      ok(await run(['cp', owned, `${c}:/tmp/${cli}-plain`]));
      ok(await run(['cp', '-a', owned, `${c}:/tmp/${cli}-archive`]));
      assert.equal(
        await exec(c, `stat -c %u:%g /tmp/${cli}-plain /tmp/${cli}-archive`),
        '4321:5432\n1234:2345',
      );
    }
    await symlink(owned, join(work, 'link-to-owned'));
    ok(await d.polis(['cp', '-L', join(work, 'link-to-owned'), `${c}:/tmp/`]));
    assert.equal(
      await exec(c, 'cat /tmp/link-to-owned; test -L /tmp/link-to-owned || echo regular'),
      'mine\nregular',
    );
    await exec(c, 'ln -s /tmp/polis-plain /tmp/in-link');
    ok(await d.polis(['cp', '-L', `${c}:/tmp/in-link`, join(work, 'followed')]));
    assert.equal(await readFile(join(work, 'followed'), 'utf8'), 'mine\n');
    ok(await d.polis(['cp', `${c}:/tmp/in-link`, join(work, 'not-followed')]));
    assert.equal(await readlink(join(work, 'not-followed')), '/tmp/polis-plain');
  });

  it('cp into a symlink to / or /etc writes inside the container, never on the host', async () => {
    const hostDir = await mkdtemp(join(tmpdir(), 'polis-cp-hostdir-'));
    try {
      const c = 'escape-links';
      ok(
        await d.docker([
          'run',
          '-d',
          '--name',
          c,
          'busybox',
          'sh',
          '-c',
          `ln -s / /slash; ln -s /etc /etclink; mkdir -p /w; ln -s ${hostDir} /w/hostlink; sleep 300`,
        ]),
      );
      await exec(c, 'test -L /etclink && test -L /w/hostlink');
      await writeFile(join(work, unique), 'planted\n');
      ok(await d.docker(['cp', join(work, unique), `${c}:/etclink/`]), 'cp into /etclink/');
      ok(await d.polis(['cp', join(work, unique), `${c}:/slash/`]), 'cp into /slash/');
      assert.equal(await exec(c, `cat /etc/${unique} /${unique}`), 'planted\nplanted');
      // A link to a host path names that path inside the container, where it does not exist.
      const res = await d.docker(['cp', join(work, unique), `${c}:/w/hostlink/`]);
      assert.notEqual(res.code, 0);
      // Reading through the links reads the container's files, not the host's.
      await exec(c, `echo inside > /etc/${unique}.marker`);
      ok(await d.docker(['cp', `${c}:/etclink/${unique}.marker`, join(work, 'read-marker')]));
      assert.equal(await readFile(join(work, 'read-marker'), 'utf8'), 'inside\n');
      assert.equal(existsSync(join('/etc', unique)), false, 'host /etc untouched');
      assert.equal(existsSync(join('/', unique)), false, 'host / untouched');
      assert.deepEqual(await readdir(hostDir), []);
      // Stopped: the same through the mounted rootfs.
      ok(await d.docker(['stop', '-t', '0', c]));
      ok(await d.docker(['cp', join(work, unique), `${c}:/etclink/${unique}.2`]));
      assert.equal(existsSync(join('/etc', `${unique}.2`)), false);
    } finally {
      await rm(hostDir, { recursive: true, force: true });
    }
  });

  it('a bind-mounted directory is copied into and out of at its mount point, running or stopped', async () => {
    const bound = await mkdtemp(join(tmpdir(), 'polis-cp-bind-'));
    try {
      const c = 'with-bind';
      ok(await d.docker(['run', '-d', '--name', c, '-v', `${bound}:/data`, 'busybox', 'sleep', '300']));
      ok(await d.docker(['cp', join(work, 'hello.txt'), `${c}:/data/`]));
      assert.equal(await readFile(join(bound, 'hello.txt'), 'utf8'), 'hello from the host\n');
      assert.equal(await exec(c, 'cat /data/hello.txt'), 'hello from the host');
      ok(await d.docker(['stop', '-t', '0', c]));
      await writeFile(join(bound, 'from-host'), 'bound\n');
      ok(await d.polis(['cp', `${c}:/data/from-host`, join(work, 'from-bind')]));
      assert.equal(await readFile(join(work, 'from-bind'), 'utf8'), 'bound\n');
    } finally {
      await rm(bound, { recursive: true, force: true });
    }
  });

  it('a copy out abandoned by its client releases the container', async () => {
    const client = d.client;
    try {
      const c = 'abandoned';
      ok(await d.docker(['run', '-d', '--name', c, 'busybox', 'sleep', '300']));
      await exec(c, 'dd if=/dev/zero of=/big bs=1M count=64 2>/dev/null');
      const { stream } = await client.containers.getArchive(c, '/big');
      for await (const chunk of stream) {
        assert.ok((chunk as Buffer).length > 0);
        break; // leaving the loop destroys the response mid-archive
      }
      const t0 = Date.now();
      const st = await client.containers.statPath(c, '/big');
      assert.equal(st.size, 64 * 1024 * 1024);
      ok(await d.docker(['stop', '-t', '0', c]));
      assert.ok(Date.now() - t0 < 10_000, `the lock was released (${Date.now() - t0} ms)`);
    } finally {
      client.close();
    }
  });

  it('a directory swapped for a symlink to a host path during the copies never lets one reach the host', async () => {
    const hostDir = await mkdtemp(join(tmpdir(), 'polis-cp-race-'));
    await writeFile(join(hostDir, 'secret'), 'HOST SECRET\n');
    const client = d.client;
    try {
      const c = 'swapper';
      // CVE-2018-15664's shape: /w/real flips between a directory and a symlink to a host-only path.
      ok(
        await d.docker([
          'run',
          '-d',
          '--name',
          c,
          'busybox',
          'sh',
          '-c',
          `mkdir -p /w/real; echo inside > /w/real/secret; while :; do usleep 1000; mv /w/real /w/tmp; ln -s ${hostDir} /w/real; rm /w/real; mv /w/tmp /w/real; done`,
        ]),
      );
      let written = 0;
      let read = 0;
      // A copy that loses the race fails as a 404 or a 400, never as an internal error.
      const refused = new Set<string>();
      const refusal = (err: { code?: string }): void => void refused.add(String(err.code));
      for (let i = 0; i < 150; i++) {
        await client.containers
          .putArchive(c, '/w/real', tarOf([{ name: `f${i}`, body: 'x' }]))
          .then(() => written++, refusal);
        const got = await client.containers.getArchive(c, '/w/real/secret').then(
          async ({ stream }) => {
            const chunks: Buffer[] = [];
            for await (const chunk of stream) chunks.push(chunk as Buffer);
            return Buffer.concat(chunks).toString('latin1');
          },
          (err: { code?: string }) => {
            refusal(err);
            return '';
          },
        );
        assert.doesNotMatch(got, /HOST SECRET/);
        if (got.includes('inside')) read++;
      }
      assert.ok(written + read > 0, `some copies went through (${written} in, ${read} out)`);
      for (const code of refused)
        assert.ok(['archive.path_not_found', 'archive.not_a_directory'].includes(code), code);
      assert.deepEqual(await readdir(hostDir), ['secret'], 'nothing written on the host');
    } finally {
      client.close();
      await rm(hostDir, { recursive: true, force: true });
    }
  });

  it('errors: 400 for a non-directory target, 404 for a missing path, 403 for a read-only root; no mount is left', async () => {
    const client = d.client;
    try {
      ok(await d.docker(['create', '--name', 'ro', '--read-only', 'busybox', 'true']));
      const code = (p: Promise<unknown>) =>
        p.then(
          () => 'ok',
          (e: { context?: { status?: number } }) => e.context?.status,
        );
      assert.equal(await code(client.containers.putArchive('ro', '/etc', tarOf([{ name: 'f' }]))), 403);
      assert.equal(await code(client.containers.putArchive('ro', '/etc/passwd', tarOf([]))), 400);
      assert.equal(await code(client.containers.putArchive('ro', '/nope', tarOf([]))), 404);
      assert.equal(await code(client.containers.statPath('ro', '/nope')), 404);
      const st = await client.containers.statPath('ro', '/etc');
      assert.equal(st.name, 'etc');
      assert.ok(st.mode >= 2 ** 31, 'a directory in Go FileMode bits');
      const bad = await code(
        client.containers.putArchive('ro', '/etc', Buffer.from('not a tar'.repeat(100))),
      );
      assert.ok(bad === 400 || bad === 403, String(bad));
      const id = ok(await d.docker(['inspect', '-f', '{{.Id}}', 'ro']));
      assert.deepEqual(
        mountsUnder(join(d.dataRoot, 'containers', id)),
        [],
        'the stopped rootfs was unmounted',
      );
    } finally {
      client.close();
    }
  });

  it('a PUT archive with ../, absolute names, links through symlinks or hard links out is confined or refused', async () => {
    const hostDir = await mkdtemp(join(tmpdir(), 'polis-cp-hostdir-'));
    const client = d.client;
    try {
      const c = 'escape-archive';
      ok(await d.docker(['run', '-d', '--name', c, 'busybox', 'sleep', '300']));
      await exec(c, 'mkdir -p /dest');
      const put = (entries: Parameters<typeof tarOf>[0], path = '/dest') =>
        client.containers.putArchive(c, path, tarOf(entries)).then(
          () => 'ok',
          (err: { statusCode?: number; code?: string }) => String(err.code),
        );
      assert.equal(
        await put([{ name: `../../../../../../..${hostDir}/climb`, body: 'x' }]),
        'archive.invalid',
      );
      assert.equal(await put([{ name: `${hostDir}/abs`, body: 'abs' }]), 'ok');
      assert.equal(await exec(c, `cat /dest${hostDir}/abs`), 'abs');
      assert.equal(
        await put([
          { name: 'esc', type: 'symlink', linkname: hostDir },
          { name: 'esc/through', body: 'through' },
        ]),
        'ok',
      );
      assert.equal(await exec(c, `cat ${hostDir}/through`), 'through');
      assert.equal(
        await put([{ name: 'hl', type: 'link', linkname: '../../../../../../etc/shadow' }]),
        'archive.invalid',
      );
      assert.equal(
        await put([{ name: 'hl2', type: 'link', linkname: '/etc/passwd' }]),
        'archive.path_not_found',
      );
      assert.equal(await put([{ name: 'x', body: 'x' }], '/dest/esc/through'), 'archive.not_a_directory');
      assert.deepEqual(await readdir(hostDir), [], 'the host directory stays empty');
    } finally {
      client.close();
      await rm(hostDir, { recursive: true, force: true });
    }
  });
});
