import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestDaemon } from '../harness/daemon.js';
import { ok } from '../harness/expect.js';
import { runCommand } from '../harness/run.js';
import {
  groupLine,
  makeRemapUser,
  readSubRanges,
  userExists,
  type TestRemapUser,
} from '../harness/subids.js';

/** The Uid: line of a host process: real, effective, saved, filesystem. */
function hostUids(pid: number): number[] {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Uid:'));
  assert.ok(line, `no Uid line for ${pid}`);
  return line.split(/\s+/).slice(1, 5).map(Number);
}

async function pidOf(d: TestDaemon, name: string): Promise<number> {
  const pid = Number(ok(await d.polis(['inspect', '-f', '{{.State.Pid}}', name])));
  assert.ok(pid > 0, `${name} has no pid`);
  return pid;
}

describe('polisd --userns-remap USER', () => {
  let user: TestRemapUser;
  let d: TestDaemon;
  let secretDir: string;
  let secret: string;

  before(async () => {
    user = await makeRemapUser();
    d = await TestDaemon.start({ usernsRemap: user.name });
    await d.importBusybox();
    secretDir = mkdtempSync(join(tmpdir(), 'polis-userns-secret-'));
    secret = join(secretDir, 'secret');
    writeFileSync(secret, 'root only\n', { mode: 0o600 });
  });

  after(async () => {
    await d?.cleanup();
    if (secretDir) rmSync(secretDir, { recursive: true, force: true });
    await user?.remove();
  });

  it('root inside is uid 0 and sees the image files as root', async () => {
    const out = ok(
      await d.polis(['run', '--rm', 'busybox', 'sh', '-c', 'id -u; id -g; stat -c %u:%g /bin /etc']),
    );
    assert.deepEqual(out.split('\n'), ['0', '0', '0:0', '0:0']);
    assert.match(ok(await d.polis(['info', '-f', '{{.SecurityOptions}}'])), /name=userns/);
  });

  it('the container process is the mapped id on the host', async () => {
    ok(await d.polis(['run', '-d', '--name', 'sleeper', 'busybox', 'sleep', '300']));
    assert.deepEqual(hostUids(await pidOf(d, 'sleeper')), [user.start, user.start, user.start, user.start]);
    const inside = ok(
      await d.polis(['exec', 'sleeper', 'sh', '-c', 'id -u; echo hi > /made; stat -c %u /made']),
    );
    assert.equal(inside, '0\n0');
    // A file the container makes in its rootfs lands in the upper dir as the mapped root.
    const id = ok(await d.polis(['inspect', '-f', '{{.Id}}', 'sleeper']));
    assert.equal(statSync(join(d.dataRoot, 'containers', id, 'upper', 'made')).uid, user.start);
    ok(await d.polis(['rm', '-f', 'sleeper']));
  });

  it('files written into a named volume belong to the mapped id on the host', async () => {
    ok(
      await d.polis([
        'run',
        '--rm',
        '-v',
        'data:/data',
        'busybox',
        'sh',
        '-c',
        'echo hi > /data/f; mkdir /data/d',
      ]),
    );
    const mountpoint = ok(await d.polis(['volume', 'inspect', '-f', '{{.Mountpoint}}', 'data']));
    for (const p of [mountpoint, join(mountpoint, 'f'), join(mountpoint, 'd')]) {
      const st = statSync(p);
      assert.deepEqual([st.uid, st.gid], [user.start, user.start], p);
    }
    assert.equal(
      ok(await d.polis(['run', '--rm', '-v', 'data:/data', 'busybox', 'stat', '-c', '%u', '/data/f'])),
      '0',
    );
  });

  it('a root-only host file bind-mounted in cannot be read; with --userns=host it can', async () => {
    const denied = await d.polis(['run', '--rm', '-v', `${secret}:/secret`, 'busybox', 'cat', '/secret']);
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr + denied.stdout, /Permission denied/);
    const hostRoot = await d.polis([
      'run',
      '--rm',
      '--userns',
      'host',
      '-v',
      `${secret}:/secret`,
      'busybox',
      'cat',
      '/secret',
    ]);
    assert.equal(ok(hostRoot), 'root only');
  });

  it('--userns=host runs as the real root on the host', async () => {
    ok(await d.polis(['run', '-d', '--name', 'hostns', '--userns', 'host', 'busybox', 'sleep', '300']));
    assert.deepEqual(hostUids(await pidOf(d, 'hostns')), [0, 0, 0, 0]);
    assert.equal(ok(await d.polis(['inspect', '-f', '{{.HostConfig.UsernsMode}}', 'hostns'])), 'host');
    ok(await d.polis(['rm', '-f', 'hostns']));
    // The docker CLI passes the flag too; without it, the same container is remapped.
    ok(await d.docker(['run', '-d', '--name', 'dhost', '--userns=host', 'busybox', 'sleep', '300']));
    assert.equal(hostUids(await pidOf(d, 'dhost'))[0], 0);
    ok(await d.docker(['run', '-d', '--name', 'dmapped', 'busybox', 'sleep', '300']));
    assert.equal(hostUids(await pidOf(d, 'dmapped'))[0], user.start);
    ok(await d.docker(['rm', '-f', 'dhost', 'dmapped']));
  });

  it('--privileged needs --userns=host, as dockerd', async () => {
    const refused = await d.polis(['run', '--rm', '--privileged', 'busybox', 'true']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /privileged mode is incompatible with user namespaces/);
    assert.equal((await d.polis(['ps', '-aq'])).stdout.trim(), '');
    ok(await d.polis(['run', '--rm', '--privileged', '--userns', 'host', 'busybox', 'true']));
    const bad = await d.polis(['run', '--rm', '--userns', 'private', 'busybox', 'true']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /invalid USER mode/);
  });

  it('commit and export write the ids the container saw, not the host ids', async () => {
    ok(
      await d.polis([
        'run',
        '--name',
        'maker',
        'busybox',
        'sh',
        '-c',
        'echo hi > /made; chown 1000:1000 /made',
      ]),
    );
    ok(await d.polis(['commit', 'maker', 'userns-committed']));
    const seen = ok(
      await d.polis([
        'run',
        '--rm',
        '--userns',
        'host',
        'userns-committed',
        'stat',
        '-c',
        '%u:%g',
        '/made',
        '/',
      ]),
    );
    assert.deepEqual(seen.split('\n'), ['1000:1000', '0:0']);
    const listing = ok(await d.shell('"$POLIS_BIN" export maker | tar -tvf - --numeric-owner'));
    assert.match(listing, /^-\S+ 1000\/1000 .* made$/m);
    assert.match(listing, /^d\S+ 0\/0 .* bin\/?$/m);
    assert.doesNotMatch(listing, new RegExp(` ${user.start}/`), 'no host id is left');
    ok(await d.polis(['rm', 'maker']));
    ok(await d.polis(['rmi', 'userns-committed']));
  });

  it('cp in stores the container ids as the mapped ones; cp out gives the container ids back', async () => {
    ok(await d.polis(['run', '-d', '--name', 'copier', 'busybox', 'sleep', '300']));
    const id = ok(await d.polis(['inspect', '-f', '{{.Id}}', 'copier']));
    ok(await d.polis(['cp', secret, 'copier:/copied']));
    assert.equal(statSync(join(d.dataRoot, 'containers', id, 'upper', 'copied')).uid, user.start);
    assert.equal(ok(await d.polis(['exec', 'copier', 'cat', '/copied'])), 'root only');
    ok(await d.polis(['exec', 'copier', 'sh', '-c', 'echo x > /out; chown 1000:1000 /out']));
    const listing = ok(await d.shell('"$POLIS_BIN" cp copier:/out - | tar -tvf - --numeric-owner'));
    assert.match(listing, /^-\S+ 1000\/1000 .* out$/m);
    ok(await d.polis(['rm', '-f', 'copier']));
  });

  it("each layer's shifted copy is made once, owned by the mapped root, and removed with the image", async () => {
    const key = `${user.start}.${user.start}`;
    const overlay = join(d.dataRoot, key, 'overlay');
    const copies = readdirHex(overlay);
    assert.equal(copies.length, 1, 'busybox has one layer, shifted once for every run so far');
    const diff = join(overlay, copies[0]!, 'diff');
    assert.equal(statSync(join(diff, 'bin')).uid, user.start);
    // The copies hold files owned by the mapped ids; no host user but root may reach them.
    const peek = await runCommand('runuser', ['-u', 'nobody', '--', 'ls', join(diff, 'bin')]);
    assert.notEqual(peek.code, 0);
    assert.match(peek.stderr, /Permission denied/);
    assert.equal(
      statSync(join(d.dataRoot, 'overlay', copies[0]!, 'diff', 'bin')).uid,
      0,
      'the plain layer stays root',
    );
    ok(await d.polis(['volume', 'rm', 'data']));
    ok(await d.polis(['rmi', 'busybox']));
    assert.equal(existsSync(join(overlay, copies[0]!)), false);
    assert.equal(existsSync(join(d.dataRoot, 'overlay', copies[0]!)), false);
  });
});

function readdirHex(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((n) => /^[a-f0-9]{64}$/.test(n)) : [];
}

describe('polisd --userns-remap default', () => {
  let d: TestDaemon | undefined;
  let userBefore = false;
  let groupBefore: string | undefined;
  let uidRangesBefore: string[] = [];
  let gidRangesBefore: string[] = [];
  const key = (r: { start: number; count: number }): string => `${r.start}-${r.start + r.count - 1}`;

  before(async () => {
    userBefore = await userExists('polis');
    groupBefore = await groupLine('polis');
    uidRangesBefore = readSubRanges('/etc/subuid')
      .filter((r) => r.owner === 'polis')
      .map(key);
    gidRangesBefore = readSubRanges('/etc/subgid')
      .filter((r) => r.owner === 'polis')
      .map(key);
  });

  after(async () => {
    await d?.cleanup();
    // Take back only what this test added: never a user, group or range that was there before.
    const addedUids = readSubRanges('/etc/subuid')
      .filter((r) => r.owner === 'polis' && !uidRangesBefore.includes(key(r)))
      .map(key);
    const addedGids = readSubRanges('/etc/subgid')
      .filter((r) => r.owner === 'polis' && !gidRangesBefore.includes(key(r)))
      .map(key);
    if (!userBefore && (await userExists('polis'))) {
      await runCommand('usermod', [
        ...addedUids.flatMap((r) => ['--del-subuids', r]),
        ...addedGids.flatMap((r) => ['--del-subgids', r]),
        'polis',
      ]);
      await runCommand('userdel', ['polis']);
      const gid = groupBefore?.split(':')[2];
      if (gid && !(await groupLine('polis')))
        await runCommand('groupadd', ['--system', '--gid', gid, 'polis']);
    } else if (addedUids.length + addedGids.length > 0) {
      await runCommand('usermod', [
        ...addedUids.flatMap((r) => ['--del-subuids', r]),
        ...addedGids.flatMap((r) => ['--del-subgids', r]),
        'polis',
      ]);
    }
  });

  it('makes the polis user and its 65536 ids if missing, and maps root in a container to them', async () => {
    d = await TestDaemon.start({ usernsRemap: 'default' });
    await d.importBusybox();
    assert.ok(await userExists('polis'));
    const uids = readSubRanges('/etc/subuid').filter((r) => r.owner === 'polis');
    const gids = readSubRanges('/etc/subgid').filter((r) => r.owner === 'polis');
    assert.ok(uids.length > 0 && gids.length > 0, 'polis has subordinate uids and gids');
    if (uidRangesBefore.length === 0) assert.equal(uids[0]!.count, 65536);
    const start = Math.min(...uids.map((r) => r.start));
    if (!userBefore) {
      const shell = (await runCommand('getent', ['passwd', 'polis'])).stdout.split(':')[6]?.trim();
      assert.equal(shell, '/usr/sbin/nologin', 'a system user without login');
    }
    ok(await d.polis(['run', '-d', '--name', 'dflt', 'busybox', 'sleep', '300']));
    assert.equal(ok(await d.polis(['exec', 'dflt', 'id', '-u'])), '0');
    assert.equal(hostUids(await pidOf(d, 'dflt'))[0], start);
    ok(await d.polis(['rm', '-f', 'dflt']));
  });
});
