import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestDaemon } from '../harness/daemon.js';
import { lines, ok } from '../harness/expect.js';

/** Volumes and mounts through the real docker CLI (DOCKER_HOST pointed at polisd). */
describe('volumes through the docker CLI', () => {
  let d: TestDaemon;
  let host: string;

  before(async () => {
    d = await TestDaemon.start();
    await d.importBusybox();
    host = mkdtempSync(join(tmpdir(), 'polis-bind-'));
  });

  after(async () => {
    await d?.cleanup();
    rmSync(host, { recursive: true, force: true });
  });

  it('volume create, ls, inspect and rm', async () => {
    assert.equal(ok(await d.docker(['volume', 'create', '--label', 'tier=db', 'pages'])), 'pages');
    const ls = lines(ok(await d.docker(['volume', 'ls'])));
    assert.match(ls[0]!, /^DRIVER\s+VOLUME NAME$/);
    assert.ok(
      ls.some((l) => /^local\s+pages$/.test(l)),
      ls.join('\n'),
    );
    const inspect = JSON.parse(ok(await d.docker(['volume', 'inspect', 'pages']))) as Record<
      string,
      unknown
    >[];
    assert.equal(inspect[0]!.Mountpoint, join(d.dataRoot, 'volumes', 'pages', '_data'));
    assert.equal(inspect[0]!.Driver, 'local');
    assert.equal(inspect[0]!.Scope, 'local');
    assert.deepEqual(inspect[0]!.Labels, { tier: 'db' });
    assert.match(String(inspect[0]!.CreatedAt), /^\d{4}-\d\d-\d\dT/);
    assert.equal(ok(await d.docker(['volume', 'ls', '-q', '--filter', 'label=tier=db'])), 'pages');
    assert.equal(ok(await d.docker(['volume', 'rm', 'pages'])), 'pages');
    const gone = await d.docker(['volume', 'inspect', 'pages']);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /no such volume/);
  });

  it('data written into a named volume outlives its container (-v and --mount)', async () => {
    ok(
      await d.docker([
        'run',
        '--name',
        'writer',
        '-v',
        'keep:/data',
        'busybox',
        'sh',
        '-c',
        'echo kept > /data/f',
      ]),
    );
    ok(await d.docker(['rm', '-f', 'writer']));
    assert.equal(
      ok(await d.docker(['run', '--rm', '-v', 'keep:/data', 'busybox', 'cat', '/data/f'])),
      'kept',
    );
    const read = await d.docker([
      'run',
      '--rm',
      '--mount',
      'type=volume,source=keep,target=/mnt,readonly',
      'busybox',
      'sh',
      '-c',
      'cat /mnt/f; touch /mnt/g',
    ]);
    assert.equal(read.stdout.trim(), 'kept');
    assert.notEqual(read.code, 0);
    assert.match(read.stderr, /Read-only file system/);
  });

  it('a volume in use cannot be removed, forced or not; it can once its container is gone', async () => {
    const id = ok(await d.docker(['create', '--name', 'holder', '-v', 'busy:/data', 'busybox', 'true']));
    for (const args of [
      ['volume', 'rm', 'busy'],
      ['volume', 'rm', '-f', 'busy'],
    ]) {
      const res = await d.docker(args);
      assert.notEqual(res.code, 0);
      assert.match(res.stderr, new RegExp(`remove busy: volume is in use - \\[${id}\\]`));
    }
    assert.equal(ok(await d.docker(['ps', '-a', '-q', '--no-trunc', '--filter', 'volume=busy'])), id);
    const mounts = JSON.parse(ok(await d.docker(['inspect', '-f', '{{json .Mounts}}', 'holder']))) as Record<
      string,
      unknown
    >[];
    assert.deepEqual(mounts, [
      {
        Type: 'volume',
        Name: 'busy',
        Source: join(d.dataRoot, 'volumes', 'busy', '_data'),
        Destination: '/data',
        Driver: 'local',
        Mode: 'z',
        RW: true,
        Propagation: '',
      },
    ]);
    ok(await d.docker(['rm', 'holder']));
    assert.equal(ok(await d.docker(['volume', 'rm', 'busy'])), 'busy');
  });

  it('a new volume on /etc starts with the image files; nocopy leaves it empty', async () => {
    const passwd = ok(await d.docker(['run', '--rm', '-v', 'etc:/etc', 'busybox', 'cat', '/etc/passwd']));
    assert.match(passwd, /^root:x:0:0:/);
    const data = join(d.dataRoot, 'volumes', 'etc', '_data');
    assert.equal(statSync(join(data, 'passwd')).mode & 0o777, 0o644);
    assert.match(readFileSync(join(data, 'group'), 'utf8'), /^root:x:0:/);
    ok(
      await d.docker([
        'run',
        '--rm',
        '--mount',
        'type=volume,src=empty,dst=/etc,volume-nocopy',
        'busybox',
        'true',
      ]),
    );
    assert.deepEqual(readdirSync(join(d.dataRoot, 'volumes', 'empty', '_data')), []);
  });

  it('a read-only bind refuses writes; a writable one shows them on the host', async () => {
    const ro = await d.docker(['run', '--rm', '-v', `${host}:/x:ro`, 'busybox', 'touch', '/x/f']);
    assert.notEqual(ro.code, 0);
    assert.match(ro.stderr, /Read-only file system/);
    assert.equal(existsSync(join(host, 'f')), false);
    ok(
      await d.docker(['run', '--rm', '--mount', `type=bind,src=${host},dst=/x`, 'busybox', 'touch', '/x/g']),
    );
    assert.equal(existsSync(join(host, 'g')), true);
  });

  it('a tmpfs with a size (--tmpfs and --mount type=tmpfs) refuses writes past it', async () => {
    for (const flags of [
      ['--tmpfs', '/t:size=1m'],
      ['--mount', 'type=tmpfs,dst=/t,tmpfs-size=1m,tmpfs-mode=1777'],
    ]) {
      const res = await d.docker([
        'run',
        '--rm',
        ...flags,
        'busybox',
        'dd',
        'if=/dev/zero',
        'of=/t/f',
        'bs=64k',
        'count=32',
      ]);
      assert.notEqual(res.code, 0, flags.join(' '));
      assert.match(res.stderr, /No space left on device/);
    }
  });

  it('rm -v removes the anonymous volumes of a container, keeps the named ones', async () => {
    ok(
      await d.docker(['create', '--name', 'anon', '-v', '/scratch', '-v', 'named:/named', 'busybox', 'true']),
    );
    const anon = ok(
      await d.docker([
        'inspect',
        '-f',
        '{{range .Mounts}}{{if eq .Destination "/scratch"}}{{.Name}}{{end}}{{end}}',
        'anon',
      ]),
    );
    assert.match(anon, /^[0-9a-f]{64}$/);
    ok(await d.docker(['volume', 'inspect', anon]));
    ok(await d.docker(['rm', '-v', 'anon']));
    assert.notEqual((await d.docker(['volume', 'inspect', anon])).code, 0);
    ok(await d.docker(['volume', 'inspect', 'named']));
    ok(await d.docker(['volume', 'rm', 'named']));
  });

  it('volume prune removes unused volumes (API 1.41) and keeps those in use', async () => {
    ok(await d.docker(['volume', 'create', 'unused']));
    ok(await d.docker(['create', '--name', 'user', '-v', 'used:/data', 'busybox', 'true']));
    const out = ok(await d.docker(['volume', 'prune', '-f']));
    assert.match(out, /unused/);
    const names = lines(ok(await d.docker(['volume', 'ls', '-q'])));
    assert.ok(names.includes('used') && !names.includes('unused'), names.join('\n'));
    ok(await d.docker(['rm', 'user']));
    ok(await d.docker(['volume', 'rm', 'used']));
  });

  it('bad mounts are a 400 in Docker words and create nothing', async () => {
    const before = ok(await d.docker(['volume', 'ls', '-q']));
    const cases: [string[], RegExp][] = [
      [
        ['--mount', 'type=bind,src=/nonexistent-polis,dst=/x'],
        /invalid mount config for type "bind": bind source path does not exist: \/nonexistent-polis/,
      ],
      [['-v', 'dupa:/x', '-v', 'dupb:/x'], /Duplicate mount point: \/x/],
      [
        ['--mount', 'type=volume,src=rel,dst=x'],
        /invalid mount config for type "volume": invalid mount path: 'x' mount path must be absolute/,
      ],
    ];
    for (const [flags, message] of cases) {
      const res = await d.docker(['create', ...flags, 'busybox', 'true']);
      assert.notEqual(res.code, 0, flags.join(' '));
      assert.match(res.stderr, message);
    }
    assert.equal(ok(await d.docker(['volume', 'ls', '-q'])), before);
    assert.equal(ok(await d.docker(['ps', '-aq'])), '');
    assert.equal(existsSync('/nonexistent-polis'), false);
  });
});
