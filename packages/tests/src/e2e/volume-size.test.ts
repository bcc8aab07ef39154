import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Event } from '@polis/sdk';
import { TestDaemon, mountsUnder } from '../harness/daemon.js';
import { ok } from '../harness/expect.js';
import { detachLoopsUnder, loopsUnder } from '../harness/loops.js';
import { waitFor } from '../harness/wait.js';

const mountedAt = (path: string): boolean =>
  readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[4] === path);

/** Writes 30 MiB into /s: more than a 20m volume holds. */
const FILL = ['dd', 'if=/dev/zero', 'of=/s/big', 'bs=1M', 'count=30'];

/** Size-limited volumes (`-o size=`), their mounts, events and recovery after kill -9 of polisd. */
describe('size-limited volumes', () => {
  let d: TestDaemon;

  before(async () => {
    d = await TestDaemon.start();
    await d.importBusybox();
  });

  after(async () => {
    // Loop devices first: a failed assertion must not leave one behind (cleanup detaches them too).
    if (d) await detachLoopsUnder(d.dataRoot);
    await d?.cleanup();
  });

  const dataOf = async (name: string): Promise<string> =>
    ok(await d.polis(['volume', 'inspect', '-f', '{{.Mountpoint}}', name]));

  it('polis volume create -o size=20m: writes past the size fail with ENOSPC; the data outlives the container', async () => {
    assert.equal(ok(await d.polis(['volume', 'create', '-o', 'size=20m', 'sized'])), 'sized');
    assert.equal(ok(await d.polis(['volume', 'inspect', '-f', '{{.Options.size}}', 'sized'])), '20m');
    const fill = await d.polis([
      'run',
      '--name',
      'filler',
      '-v',
      'sized:/s',
      'busybox',
      'sh',
      '-c',
      `echo kept > /s/kept && ${FILL.join(' ')}`,
    ]);
    assert.notEqual(fill.code, 0);
    assert.match(fill.stderr, /No space left on device/);
    const data = await dataOf('sized');
    assert.equal(mountedAt(data), false, 'unmounted once its last user stopped');
    assert.deepEqual(await loopsUnder(d.dataRoot), [], 'and its loop device freed');
    ok(await d.polis(['rm', 'filler']));
    const df = ok(
      await d.polis([
        'run',
        '--rm',
        '-v',
        'sized:/s',
        'busybox',
        'sh',
        '-c',
        'rm /s/big; cat /s/kept; df -k /s',
      ]),
    );
    assert.match(df, /^kept\n/);
    const total = Number(df.split('\n')[2]?.trim().split(/\s+/)[1]);
    assert.ok(total > 15 * 1024 && total <= 20 * 1024, `a file system of about 20m: ${df}`);
    ok(await d.polis(['volume', 'rm', 'sized']));
    assert.equal(existsSync(join(d.dataRoot, 'volumes', 'sized')), false);
  });

  it('docker volume create --opt size= and --mount volume-opt=size= refuse writes past the size', async () => {
    ok(await d.docker(['volume', 'create', '--opt', 'size=20m', 'dsized']));
    const viaVolume = await d.docker(['run', '--rm', '-v', 'dsized:/s', 'busybox', ...FILL]);
    assert.notEqual(viaVolume.code, 0);
    assert.match(viaVolume.stderr, /No space left on device/);
    const viaMount = await d.docker([
      'run',
      '--rm',
      '--mount',
      'type=volume,source=msized,target=/s,volume-opt=size=20m',
      'busybox',
      ...FILL,
    ]);
    assert.notEqual(viaMount.code, 0);
    assert.match(viaMount.stderr, /No space left on device/);
    assert.equal(ok(await d.docker(['volume', 'inspect', '-f', '{{.Options.size}}', 'msized'])), '20m');
    ok(await d.docker(['volume', 'rm', 'dsized', 'msized']));
    assert.deepEqual(await loopsUnder(d.dataRoot), []);
  });

  it('cp into and out of a stopped container reaches the sized volume, not the directory under it', async () => {
    ok(
      await d.polis([
        'create',
        '--name',
        'cpsized',
        '--mount',
        'type=volume,source=cps,target=/s,volume-opt=size=8m',
        'busybox',
        'true',
      ]),
    );
    const dir = mkdtempSync(join(tmpdir(), 'polis-cpsized-'));
    try {
      writeFileSync(join(dir, 'in.txt'), 'copied in\n');
      ok(await d.polis(['cp', join(dir, 'in.txt'), 'cpsized:/s/in.txt']));
      const data = await dataOf('cps');
      assert.equal(mountedAt(data), false, 'unmounted again after the copy');
      assert.equal(existsSync(join(data, 'in.txt')), false, 'not written into the bare directory');
      assert.equal(
        ok(
          await d.polis([
            'run',
            '--rm',
            '-v',
            'cps:/v',
            'busybox',
            'sh',
            '-c',
            'cat /v/in.txt; echo out > /v/out.txt',
          ]),
        ),
        'copied in',
      );
      ok(await d.polis(['cp', 'cpsized:/s/out.txt', join(dir, 'out.txt')]));
      assert.equal(readFileSync(join(dir, 'out.txt'), 'utf8'), 'out\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    ok(await d.polis(['rm', 'cpsized']));
    ok(await d.polis(['volume', 'rm', 'cps']));
    assert.deepEqual(await loopsUnder(d.dataRoot), []);
  });

  it("a new sized volume mounted over the image's files starts with a copy of them (copy-up)", async () => {
    const passwd = ok(
      await d.polis([
        'run',
        '--rm',
        '--mount',
        'type=volume,source=etcsized,target=/etc,volume-opt=size=8m',
        'busybox',
        'cat',
        '/etc/passwd',
      ]),
    );
    assert.match(passwd, /^root:/);
    const data = await dataOf('etcsized');
    assert.equal(existsSync(join(data, 'passwd')), false, 'copied into the image, not the directory');
    ok(await d.polis(['volume', 'rm', 'etcsized']));
    assert.deepEqual(await loopsUnder(d.dataRoot), []);
  });

  it('bad sizes are refused at create, and size does not combine with a tmpfs', async () => {
    const bad = await d.polis(['volume', 'create', '-o', 'size=lots', 'bad']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /create bad: invalid size: 'lots'/);
    const both = await d.docker([
      'volume',
      'create',
      '--opt',
      'size=20m',
      '--opt',
      'type=tmpfs',
      '--opt',
      'device=tmpfs',
      'both',
    ]);
    assert.notEqual(both.code, 0);
    assert.match(both.stderr, /size cannot be combined with type, device or o/);
    assert.equal(ok(await d.polis(['volume', 'ls', '-q'])), '');
  });

  it('GET /events: create, mount (container, destination, read/write), unmount, destroy', async () => {
    const since = new Date();
    ok(await d.polis(['volume', 'create', '-o', 'size=8m', 'ev']));
    const id = ok(await d.polis(['run', '-d', '-v', 'ev:/data:ro', 'busybox', 'true']));
    ok(await d.polis(['wait', id]));
    ok(await d.polis(['rm', id]));
    ok(await d.polis(['volume', 'rm', 'ev']));
    const seen: Event[] = [];
    for await (const e of d.client.events({ since, until: new Date(), filters: { type: ['volume'] } })) {
      seen.push(e);
    }
    const ours = seen.filter((e) => e.Actor.ID === 'ev');
    assert.deepEqual(
      ours.map((e) => e.Action),
      ['create', 'mount', 'unmount', 'destroy'],
    );
    const [, mount, unmount] = ours;
    assert.deepEqual(mount?.Actor.Attributes, {
      driver: 'local',
      container: id,
      destination: '/data',
      'read/write': 'false',
      propagation: '',
    });
    assert.deepEqual(unmount?.Actor.Attributes, { driver: 'local', container: id });
  });

  it('kill -9 of polisd with containers on named, tmpfs and sized volumes: restart reconciles, nothing leaks', async () => {
    ok(await d.polis(['volume', 'create', '-o', 'size=8m', 'ksized']));
    ok(
      await d.polis([
        'volume',
        'create',
        '-o',
        'type=tmpfs',
        '-o',
        'device=tmpfs',
        '-o',
        'o=size=4m',
        'ktmp',
      ]),
    );
    ok(await d.polis(['volume', 'create', '-o', 'size=8m', 'kgone']));
    const volumes = ['-v', 'knamed:/n', '-v', 'ksized:/s', '-v', 'ktmp:/t'];
    ok(await d.polis(['run', '-d', '--name', 'kbusy', ...volumes, 'busybox', 'sleep', '300']));
    ok(await d.polis(['run', '-d', '--name', 'kshare', '-v', 'ksized:/s', 'busybox', 'sleep', '300']));
    const dying = ok(
      await d.polis(['run', '-d', '--name', 'kdying', '-v', 'kgone:/g', 'busybox', 'sleep', '300']),
    );
    const pid = Number(ok(await d.polis(['inspect', '-f', '{{.State.Pid}}', 'kdying'])));
    const [sized, tmp, gone] = [await dataOf('ksized'), await dataOf('ktmp'), await dataOf('kgone')];
    assert.ok(mountedAt(sized) && mountedAt(tmp) && mountedAt(gone));

    await d.stopProcess('SIGKILL');
    // kdying's user goes while polisd is down: its volume must be unmounted at the restart.
    process.kill(pid, 'SIGKILL');
    await waitFor('conmon to record the exit', () => existsSync(join(d.execRoot, 'exits', dying)));
    await d.startProcess();

    assert.equal(mountedAt(gone), false, 'the volume whose user died is unmounted');
    assert.ok(mountedAt(sized) && mountedAt(tmp), 'the volumes of running containers stay mounted');
    assert.equal((await loopsUnder(d.dataRoot)).length, 1, 'one loop device: ksized');
    const refused = await d.polis(['volume', 'rm', 'ksized']);
    assert.match(refused.stderr, /remove ksized: volume is in use/);

    ok(await d.polis(['rm', '-f', 'kbusy']));
    assert.ok(mountedAt(sized), 'still used by kshare');
    assert.equal(mountedAt(tmp), false);
    ok(await d.polis(['rm', '-f', 'kshare', 'kdying']));
    ok(await d.polis(['volume', 'rm', 'knamed', 'ksized', 'ktmp', 'kgone']));
    assert.deepEqual(mountsUnder(d.dataRoot), [], 'no mount under the data root');
    assert.deepEqual(await loopsUnder(d.dataRoot), [], 'no loop device backed by a file under it');
  });
});
