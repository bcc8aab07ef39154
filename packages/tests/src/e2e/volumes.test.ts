import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { busyboxTar } from '../harness/busybox.js';
import { TestDaemon } from '../harness/daemon.js';
import { lines, ok } from '../harness/expect.js';

/** Volumes through the polis CLI and the SDK. */
describe('volumes through polis', () => {
  let d: TestDaemon;

  before(async () => {
    d = await TestDaemon.start();
    await d.importBusybox();
  });

  after(async () => {
    await d?.cleanup();
  });

  it('polis volume create/ls/inspect/rm/prune print as docker does', async () => {
    assert.equal(ok(await d.polis(['volume', 'create', '--label', 'app=web', 'site'])), 'site');
    const ls = lines(ok(await d.polis(['volume', 'ls'])));
    assert.match(ls[0]!, /^DRIVER\s+VOLUME NAME$/);
    assert.match(ls[1]!, /^local\s+site$/);
    assert.equal(
      ok(await d.polis(['volume', 'inspect', '-f', '{{.Labels.app}} {{.Scope}}', 'site'])),
      'web local',
    );
    assert.equal(ok(await d.polis(['volume', 'ls', '-q', '-f', 'dangling=true'])), 'site');
    assert.equal((await d.client.volumes.inspect('site')).Driver, 'local');
    const prune = ok(await d.polis(['volume', 'prune', '-f', '--filter', 'label=app=web']));
    assert.match(prune, /Deleted Volumes:\nsite\n\nTotal reclaimed space: 0B/);
    const missing = await d.polis(['volume', 'rm', 'site']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /get site: no such volume/);
  });

  it('data outlives its container; --volumes-from shares it, read-only when asked', async () => {
    ok(
      await d.polis([
        'run',
        '--name',
        'writer',
        '-v',
        'shared:/data',
        'busybox',
        'sh',
        '-c',
        'echo one > /data/f',
      ]),
    );
    ok(await d.polis(['rm', '-f', 'writer']));
    ok(await d.polis(['create', '--name', 'owner', '-v', 'shared:/data', 'busybox', 'true']));
    assert.equal(
      ok(await d.polis(['run', '--rm', '--volumes-from', 'owner', 'busybox', 'cat', '/data/f'])),
      'one',
    );
    const ro = await d.polis(['run', '--rm', '--volumes-from', 'owner:ro', 'busybox', 'touch', '/data/g']);
    assert.notEqual(ro.code, 0);
    assert.match(ro.stderr, /Read-only file system/);
    ok(await d.polis(['rm', 'owner']));
    ok(await d.polis(['volume', 'rm', 'shared']));
  });

  it('cp into and out of a volume path reaches the volume, on a stopped and a running container', async () => {
    ok(await d.polis(['create', '--name', 'cpvol', '-v', 'cpdata:/data', 'busybox', 'sleep', '300']));
    const dir = mkdtempSync(join(tmpdir(), 'polis-cpvol-'));
    try {
      writeFileSync(join(dir, 'in.txt'), 'copied in\n');
      ok(await d.polis(['cp', join(dir, 'in.txt'), 'cpvol:/data/in.txt']));
      // Another container with the same volume sees the file: it went into the volume, not the rootfs.
      assert.equal(
        ok(await d.polis(['run', '--rm', '-v', 'cpdata:/v', 'busybox', 'cat', '/v/in.txt'])),
        'copied in',
      );
      ok(await d.polis(['start', 'cpvol']));
      ok(await d.polis(['exec', 'cpvol', 'sh', '-c', 'echo from inside > /data/out.txt']));
      ok(await d.polis(['cp', 'cpvol:/data/out.txt', join(dir, 'out.txt')]));
      assert.equal(readFileSync(join(dir, 'out.txt'), 'utf8'), 'from inside\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    ok(await d.polis(['rm', '-f', 'cpvol']));
    ok(await d.polis(['volume', 'rm', 'cpdata']));
  });

  it('--read-only root with a writable volume and tmpfs', async () => {
    const res = await d.polis([
      'run',
      '--rm',
      '--read-only',
      '-v',
      'rw:/data',
      '--tmpfs',
      '/tmp',
      'busybox',
      'sh',
      '-c',
      'echo x > /data/ok && echo y > /tmp/ok && cat /data/ok /tmp/ok; touch /root/no',
    ]);
    assert.equal(res.stdout, 'x\ny\n');
    assert.match(res.stderr, /Read-only file system/);
    ok(await d.polis(['volume', 'rm', 'rw']));
  });

  it("an image's VOLUME becomes an anonymous volume with the image's files; --rm removes it", async () => {
    ok(await d.polis(['import', '-c', 'VOLUME /etc', await busyboxTar(), 'volimg']));
    const id = ok(await d.polis(['create', 'volimg', 'cat', '/etc/passwd']));
    const name = ok(await d.polis(['inspect', '-f', '{{range .Mounts}}{{.Name}}{{end}}', id]));
    assert.match(name, /^[0-9a-f]{64}$/);
    const source = ok(await d.polis(['volume', 'inspect', '-f', '{{.Mountpoint}}', name]));
    assert.match(readFileSync(`${source}/passwd`, 'utf8'), /^root:/);
    ok(await d.polis(['rm', id]));
    // Without -v the anonymous volume stays, as Docker keeps it.
    ok(await d.polis(['volume', 'rm', name]));
    assert.match(ok(await d.polis(['run', '--rm', 'volimg', 'cat', '/etc/passwd'])), /^root:/);
    assert.equal(ok(await d.polis(['volume', 'ls', '-q'])), '');
  });
});

describe("the local driver's mount options", () => {
  let d: TestDaemon;
  let device: string;

  before(async () => {
    d = await TestDaemon.start();
    await d.importBusybox();
    device = mkdtempSync(join(tmpdir(), 'polis-device-'));
  });

  after(async () => {
    await d?.cleanup();
    rmSync(device, { recursive: true, force: true });
  });

  const mountedAt = (path: string): boolean =>
    readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .some((l) => l.split(' ')[4] === path);

  it('a tmpfs volume refuses writes past its size and is unmounted when its last user stops', async () => {
    ok(
      await d.polis([
        'volume',
        'create',
        '-o',
        'type=tmpfs',
        '-o',
        'device=tmpfs',
        '-o',
        'o=size=1m',
        'small',
      ]),
    );
    const data = ok(await d.polis(['volume', 'inspect', '-f', '{{.Mountpoint}}', 'small']));
    const res = await d.polis([
      'run',
      '--rm',
      '-v',
      'small:/s',
      'busybox',
      'dd',
      'if=/dev/zero',
      'of=/s/f',
      'bs=64k',
      'count=32',
    ]);
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /No space left on device/);
    assert.equal(mountedAt(data), false, 'unmounted once no container runs');
    ok(await d.polis(['volume', 'rm', 'small']));
  });

  it('a bind volume (type=none,o=bind) shows the device, and removing the volume keeps the device files', async () => {
    writeFileSync(join(device, 'hello'), 'from the host\n');
    ok(
      await d.polis(['volume', 'create', '-o', 'type=none', '-o', 'o=bind', '-o', `device=${device}`, 'dev']),
    );
    assert.equal(
      ok(await d.polis(['run', '--rm', '-v', 'dev:/d', 'busybox', 'cat', '/d/hello'])),
      'from the host',
    );
    ok(await d.polis(['run', '--rm', '-v', 'dev:/d', 'busybox', 'touch', '/d/written']));
    assert.ok(existsSync(join(device, 'written')));
    ok(await d.polis(['volume', 'rm', 'dev']));
    assert.ok(existsSync(join(device, 'hello')), 'the device is not deleted with the volume');
  });

  it('bad options are refused with Docker words', async () => {
    const res = await d.polis(['volume', 'create', '-o', 'foo=bar', 'bad']);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /create bad: invalid option key: "foo"/);
  });
});

describe('volumes across a polisd crash', () => {
  let d: TestDaemon;

  before(async () => {
    d = await TestDaemon.start();
    await d.importBusybox();
  });

  after(async () => {
    await d?.cleanup();
  });

  it('after kill -9 the volume is still in use, and can be removed once its container is', async () => {
    ok(await d.polis(['run', '-d', '--name', 'busy', '-v', 'crash:/data', 'busybox', 'sleep', '300']));
    await d.stopProcess('SIGKILL');
    await d.startProcess();
    const refused = await d.polis(['volume', 'rm', 'crash']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /remove crash: volume is in use/);
    ok(await d.polis(['rm', '-f', 'busy']));
    assert.equal(ok(await d.polis(['volume', 'rm', 'crash'])), 'crash');
    // No mount of the container or the volume is left on the host.
    const mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
    assert.ok(!mountinfo.includes(d.dataRoot), mountinfo);
  });
});
