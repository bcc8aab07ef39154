import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestDaemon } from '../harness/daemon.js';
import { lines, ok } from '../harness/expect.js';
import { rawRequest } from '../harness/http.js';
import { treeManifest } from '../harness/tree.js';
import { fillTree } from '../harness/tree-fill.js';
import { waitFor } from '../harness/wait.js';

/** What a failed restore must not leave: a staging directory under the data root's volumes. */
function stagingDirs(d: TestDaemon): string[] {
  return readdirSync(join(d.dataRoot, 'volumes')).filter((n) => n.startsWith('.'));
}

async function mountpoint(d: TestDaemon, name: string): Promise<string> {
  return ok(await d.polis(['volume', 'inspect', '-f', '{{.Mountpoint}}', name]));
}

async function volumeNames(d: TestDaemon): Promise<string[]> {
  return lines(ok(await d.polis(['volume', 'ls', '-q'])));
}

describe('volume backup and restore', () => {
  let d: TestDaemon;
  let other: TestDaemon;
  let work: string;
  let archive: string;
  let original: Awaited<ReturnType<typeof treeManifest>>;

  before(async () => {
    [d, other] = await Promise.all([TestDaemon.start(), TestDaemon.start()]);
    await d.importBusybox();
    work = mkdtempSync(join(tmpdir(), 'polis-backup-'));
    archive = join(work, 'src.tar.zst');
    ok(await d.polis(['volume', 'create', '--label', 'app=web', '--label', 'tier=data', 'src']));
    await fillTree(await mountpoint(d, 'src'));
    original = await treeManifest(await mountpoint(d, 'src'));
  });

  after(async () => {
    await Promise.all([d?.cleanup(), other?.cleanup()]);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('a volume of 1,000 files with links, a FIFO, xattrs, owners and modes comes back identical', async (t) => {
    assert.ok(Object.keys(original).length > 1000, `${Object.keys(original).length} paths`);
    const t0 = Date.now();
    ok(await d.polis(['volume', 'backup', 'src', '-o', archive]), 'backup');
    t.diagnostic(
      `backup of ${Object.keys(original).length} paths: ${Date.now() - t0} ms, ${readFileSync(archive).length} bytes`,
    );
    // The archive is zstd (plain tools read it) with the manifest first, then the data; the digest
    // trailer is a skippable zstd frame at the end: magic 0x184D2A5B, then its JSON.
    const listing = await d.shell(`zstd -dc '${archive}' | tar -tf -`);
    const names = lines(listing.stdout);
    assert.equal(names[0], 'polis-volume.json');
    assert.ok(
      names.slice(1).every((n) => n.startsWith('./')),
      'data entries follow the manifest',
    );
    const bytes = readFileSync(archive);
    assert.equal(bytes.readUInt32LE(bytes.length - 264), 0x184d2a5b, 'trailer frame last');
    const manifest = JSON.parse(
      (await d.shell(`zstd -dc '${archive}' | tar -xOf - polis-volume.json`)).stdout,
    );
    assert.deepEqual(
      {
        name: manifest.name,
        driver: manifest.driver,
        labels: manifest.labels,
        formatVersion: manifest.formatVersion,
      },
      { name: 'src', driver: 'local', labels: { app: 'web', tier: 'data' }, formatVersion: 2 },
    );

    assert.equal(ok(await d.polis(['volume', 'restore', archive, 'copy'])), 'copy');
    assert.deepEqual(await treeManifest(await mountpoint(d, 'copy')), original);
    assert.equal(
      ok(await d.polis(['volume', 'inspect', '-f', '{{json .Labels}}', 'copy'])),
      '{"app":"web","tier":"data"}',
    );
    // The same backup again is the same bytes: the digest depends on content and metadata only.
    const again = await d.shell(`"$POLIS_BIN" volume backup src | tail -c 256`);
    const first = await d.shell(`tail -c 256 '${archive}'`);
    assert.match(first.stdout, /"digest":"sha256:[0-9a-f]{64}"/);
    assert.equal(again.stdout, first.stdout);

    // Named as in the backup when no name is given; that name is taken here: 409 and nothing made.
    const taken = await d.polis(['volume', 'restore', archive]);
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /restore src: a volume named src already exists/);
    assert.deepEqual(stagingDirs(d), []);
  });

  it('--pause pauses the containers using the volume during the read and unpauses them after', async () => {
    ok(await d.polis(['run', '-d', '--name', 'user', '-v', 'src:/data', 'busybox', 'sleep', '1000']));
    const out = join(work, 'paused.tar.zst');
    ok(await d.polis(['volume', 'backup', '--pause', 'src', '-o', out]));
    assert.equal(ok(await d.polis(['inspect', '-f', '{{.State.Status}}', 'user'])), 'running');
    const events = ok(
      await d.polis([
        'events',
        '--since',
        '0',
        '--until',
        String(Math.ceil(Date.now() / 1000) + 1),
        '--filter',
        'container=user',
        '--format',
        '{{.Action}}',
      ]),
    );
    assert.deepEqual(
      lines(events).filter((a) => a === 'pause' || a === 'unpause'),
      ['pause', 'unpause'],
    );
    ok(await d.polis(['volume', 'restore', out, 'paused-copy']));
    assert.deepEqual(await treeManifest(await mountpoint(d, 'paused-copy')), original);
    ok(await d.polis(['rm', '-f', 'user']));
  });

  it('a truncated or altered backup is refused with a clear error and leaves no volume behind', async () => {
    const good = readFileSync(archive);
    const flipped = Buffer.from(good);
    const middle = Math.floor(flipped.length / 2);
    flipped[middle] = (flipped[middle] as number) ^ 0x01;
    // The digest in the trailer frame altered (one hex digit): the zstd stream stays well formed.
    const badDigest = Buffer.from(good);
    const at = badDigest.lastIndexOf('"digest":"sha256:') + '"digest":"sha256:'.length;
    badDigest[at] = badDigest[at] === 0x30 ? 0x31 : 0x30;
    // The trailer frame cut off: zstd reads the rest fine, only the missing digest tells.
    const noTrailer = good.subarray(0, good.length - 264);
    const cases: Array<[string, Buffer, RegExp]> = [
      ['truncated', good.subarray(0, middle), /invalid volume backup: .*truncated/],
      ['one byte flipped', flipped, /invalid volume backup: /],
      ['digest altered', badDigest, /invalid volume backup: content digest mismatch/],
      ['trailer cut off', noTrailer, /invalid volume backup: the digest trailer is missing/],
      ['not a backup', Buffer.from('hello, world\n'), /invalid volume backup: /],
    ];
    for (const [what, bytes, message] of cases) {
      const file = join(work, `${what.replace(/ /g, '-')}.tar.zst`);
      writeFileSync(file, bytes);
      const res = await d.polis(['volume', 'restore', file, 'broken']);
      assert.equal(res.code, 1, `${what}: ${res.stdout}`);
      assert.match(res.stderr, message, what);
      assert.ok(!(await volumeNames(d)).includes('broken'), `${what}: no volume`);
      assert.deepEqual(stagingDirs(d), [], `${what}: no staging directory`);
      assert.ok(!existsSync(join(d.dataRoot, 'volumes', 'broken')), what);
    }
    // Over REST: a 400 with the typed code.
    const res = await rawRequest(d.socket, 'POST', '/v1.41/polis/v1/volumes/restore?name=broken', {
      body: badDigest,
    });
    assert.equal(res.status, 400, res.text);
    assert.match(res.text, /content digest mismatch/);
    assert.equal((res.json as { code?: string }).code, 'volume.backup_invalid');
    assert.deepEqual(stagingDirs(d), []);
  });

  it('a backup whose names lead out of the volume is refused and nothing outside changes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'polis-evil-'));
    try {
      // Members made by GNU tar, framed by hand with a correct digest: only the names are wrong.
      const script = `set -e
        cd '${dir}' && mkdir target m a b && echo pwned > escaped && echo pwned > b/x
        ln -s '${dir}/target' a/l && mkdir -p c/l && echo pwned > c/l/pwned
        printf '%s' '{"formatVersion":1,"name":"evil","driver":"local","labels":{},"options":{},"anonymous":false,"created":"2026-01-01T00:00:00Z","digestAlgorithm":"sha256"}' > m/polis-volume.json
        members() { tar --format=posix -b1 "$@" | head -c -1024; }
        frame() {
          { tar --format=ustar -b1 -cf - -C m polis-volume.json | head -c -1024; cat; } > body
          printf '{"digest":"sha256:%s","size":%s}' "$(sha256sum < body | cut -d' ' -f1)" "$(wc -c < body)" > m/polis-volume.sum
          { cat body; tar --format=ustar -b1 -cf - -C m polis-volume.sum; } | zstd -q -c > "$1"
        }
        { members --no-recursion -cf - -C a ./ ./l; members -cf - -C c ./l/pwned; } | frame below-symlink.zst
        { members -cf - -C b ./; members -P -cf - -C b ./../escaped; } | frame dotdot.zst`;
      const built = await d.shell(script);
      assert.equal(built.code, 0, built.stderr);
      const listing = await d.shell(`zstd -dc '${dir}/dotdot.zst' | tar -tf -`);
      assert.match(listing.stdout, /^\.\/\.\.\/escaped$/m, 'the archive really holds the bad name');
      for (const [file, message] of [
        ['below-symlink.zst', /entry "\.\/l\/pwned" lies below a symlink of the archive/],
        ['dotdot.zst', /entry "\.\/\.\.\/escaped" is not inside the volume/],
      ] as const) {
        const res = await d.polis(['volume', 'restore', join(dir, file)]);
        assert.equal(res.code, 1, file);
        assert.match(res.stderr, message, file);
        assert.deepEqual(
          readdirSync(join(dir, 'target')),
          [],
          `${file}: nothing written through the symlink`,
        );
        assert.ok(!(await volumeNames(d)).includes('evil'), file);
        assert.deepEqual(stagingDirs(d), [], file);
        assert.ok(!existsSync(join(d.dataRoot, 'volumes', 'escaped')), file);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a size-limited volume is backed up from its image and restored into a new image of its size', async () => {
    ok(await d.polis(['volume', 'create', '-o', 'size=20m', 'sized']));
    ok(
      await d.polis([
        'run',
        '--rm',
        '-v',
        'sized:/d',
        'busybox',
        'sh',
        '-c',
        'echo kept > /d/f && mkdir /d/sub',
      ]),
    );
    // Not in use now: its image is unmounted, and the backup must still see the data inside it.
    const file = join(work, 'sized.tar.zst');
    ok(await d.polis(['volume', 'backup', 'sized', '-o', file]));
    ok(await d.polis(['volume', 'restore', file, 'sized2']));
    const out = ok(
      await d.polis([
        'run',
        '--rm',
        '-v',
        'sized2:/d',
        'busybox',
        'sh',
        '-c',
        'cat /d/f && ls /d && df -k /d | tail -1',
      ]),
    );
    const [content, ...rest] = lines(out);
    assert.equal(content, 'kept');
    assert.ok(rest.includes('sub'), out);
    const blocks = Number(rest.at(-1)?.trim().split(/\s+/)[1]);
    assert.ok(blocks > 10_000 && blocks <= 20_480, `restored volume is not 20 MB: ${out}`);
    assert.equal(stagingDirs(d).length, 0);
    ok(await d.polis(['volume', 'rm', 'sized', 'sized2']));
  });

  it('moves a volume between two daemons through a pipe of the CLI', async () => {
    const script = `"$POLIS_BIN" volume backup src | "$POLIS_BIN" -H ${other.host} volume restore - moved`;
    const res = await d.shell(script, { timeoutMs: 120_000 });
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout.trim(), 'moved');
    assert.deepEqual(await treeManifest(await mountpoint(other, 'moved')), original);
    assert.equal(ok(await other.polis(['volume', 'inspect', '-f', '{{.Labels.app}}', 'moved'])), 'web');
  });

  it('a restore cut by kill -9 of polisd leaves nothing after the restart', async () => {
    const bytes = readFileSync(archive);
    const req = request({
      socketPath: other.socket,
      method: 'POST',
      path: '/v1.41/polis/v1/volumes/restore?name=half',
      headers: { 'Content-Type': 'application/zstd', 'Content-Length': String(bytes.length) },
      agent: false,
    });
    req.on('error', () => undefined);
    req.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
    // Well into the extraction: files of the backup already in the staging directory.
    await waitFor(
      'a partly extracted restore',
      () =>
        stagingDirs(other).some((s) => readdirSync(join(other.dataRoot, 'volumes', s, '_data')).length > 3),
      30_000,
    );
    await other.stopProcess('SIGKILL');
    req.destroy();
    assert.equal(stagingDirs(other).length, 1, 'the kill left a staging directory');
    await other.startProcess();
    assert.deepEqual(stagingDirs(other), [], 'the restarted daemon removed it');
    assert.ok(!(await volumeNames(other)).includes('half'));
    // The name is free: the whole backup restores under it now.
    ok(await other.polis(['volume', 'restore', archive, 'half']));
    assert.deepEqual(await treeManifest(await mountpoint(other, 'half')), original);
  });
});
