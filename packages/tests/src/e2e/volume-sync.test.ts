import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestDaemon } from '../harness/daemon.js';
import { rawRequest } from '../harness/http.js';
import { ok } from '../harness/expect.js';
import { runCommand } from '../harness/run.js';

/** Type, mode, owner, mtime (ms), size, content hash, link target, xattrs and hard-link group of each entry. */
async function manifest(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const inodes = new Map<number, string>();
  const walk = async (dir: string, prefix: string): Promise<void> => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const rel = prefix ? `${prefix}/${name}` : name;
      const st = lstatSync(path);
      const attrs = await runCommand('getfattr', [
        '-h',
        '-d',
        '-m',
        '-',
        '-e',
        'hex',
        '--absolute-names',
        path,
      ]);
      const xattrs = attrs.stdout
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .join(',');
      let what = `${(st.mode & 0o170000).toString(8)} ${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid} ${xattrs}`;
      if (!st.isDirectory()) what += ` ${Math.floor(st.mtimeMs)}`;
      if (st.isSymbolicLink()) what += ` -> ${readlinkSync(path)}`;
      if (st.isFile()) {
        what += ` ${st.size} ${createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 16)}`;
        if (st.nlink > 1) {
          const first = inodes.get(st.ino);
          if (first === undefined) inodes.set(st.ino, rel);
          else what += ` =${first}`;
        }
      }
      out[rel] = what;
      if (st.isDirectory()) await walk(path, rel);
    }
  };
  await walk(root, '');
  return out;
}

describe('polis volume sync', () => {
  let d: TestDaemon;
  let hostDir: string;
  const data = (name: string): string => join(d.dataRoot, 'volumes', name, '_data');

  before(async () => {
    d = await TestDaemon.start();
    await d.importBusybox();
    hostDir = mkdtempSync(join(tmpdir(), 'polis-sync-host-'));
  });

  after(async () => {
    await d?.cleanup();
    rmSync(hostDir, { recursive: true, force: true });
  });

  it('copies a tree with its types, modes, owners, times, links, FIFO and xattrs into a new volume', async () => {
    ok(await d.polis(['volume', 'create', '--label', 'team=a', 'src']));
    const s = data('src');
    mkdirSync(join(s, 'dir/deep'), { recursive: true });
    writeFileSync(join(s, 'dir/deep/file'), 'deep\n');
    writeFileSync(join(s, 'plain'), 'x'.repeat(5000));
    writeFileSync(join(s, 'setuid'), '#!/bin/sh\n');
    chownSync(join(s, 'setuid'), 1000, 1001);
    chmodSync(join(s, 'setuid'), 0o4750);
    chmodSync(join(s, 'dir'), 0o710);
    chownSync(join(s, 'dir'), 7, 8);
    writeFileSync(join(s, 'linked'), 'same inode\n');
    linkSync(join(s, 'linked'), join(s, 'dir/hardlink'));
    symlinkSync('/etc/passwd', join(s, 'abs-link'));
    symlinkSync('../plain', join(s, 'dir/rel-link'));
    ok(await runCommand('mkfifo', ['-m', '640', join(s, 'fifo')]));
    ok(await runCommand('setfattr', ['-n', 'user.origin', '-v', 'polis', join(s, 'plain')]));
    ok(await runCommand('setfattr', ['-n', 'user.dir', '-v', '1', join(s, 'dir')]));
    utimesSync(join(s, 'plain'), 1_600_000_000.123, 1_600_000_000.123);
    utimesSync(join(s, 'dir'), 1_500_000_000, 1_500_000_000);

    const out = ok(await d.polis(['volume', 'sync', 'src', 'copy']));
    assert.match(
      out,
      /^Synced src into copy \(created\): 10 copied \(5\.0\d+kB\), 0 updated, 0 deleted, 0 unchanged$/,
    );
    assert.deepEqual(await manifest(data('copy')), await manifest(s));
    assert.equal(lstatSync(join(data('copy'), 'dir')).mtimeMs, lstatSync(join(s, 'dir')).mtimeMs);
    const made = await d.client.volumes.inspect('copy');
    assert.deepEqual(made.Labels, { team: 'a' });
    assert.equal(made.Driver, 'local');

    const again = await d.client.volumes.sync('src', 'copy');
    assert.deepEqual(
      [again.Created, again.Copied, again.CopiedBytes, again.Updated, again.Deleted, again.Unchanged],
      [false, 0, 0, 0, 0, 10],
    );
    // A container sees the copy.
    assert.equal(
      ok(await d.polis(['run', '--rm', '-v', 'copy:/v', 'busybox', 'cat', '/v/dir/deep/file'])),
      'deep',
    );
  });

  it('copies a modified and an added file, keeps a deleted one until --delete, never follows DEST links', async () => {
    ok(await d.polis(['volume', 'create', 'va']));
    ok(await d.polis(['volume', 'create', 'vb']));
    const [a, b] = [data('va'), data('vb')];
    writeFileSync(join(a, 'modified'), 'old');
    writeFileSync(join(a, 'deleted'), 'bye');
    writeFileSync(join(a, 'kept'), 'kept');
    mkdirSync(join(a, 'escape'));
    writeFileSync(join(a, 'escape', 'planted'), 'must stay inside');
    writeFileSync(join(a, 'outfile'), 'must stay inside too');
    ok(await d.polis(['volume', 'sync', 'va', 'vb']));
    // A container using DEST swaps a directory and a file for links to the host.
    rmSync(join(b, 'escape'), { recursive: true });
    symlinkSync('/', join(b, 'escape'));
    rmSync(join(b, 'outfile'));
    symlinkSync(join(hostDir, 'victim'), join(b, 'outfile'));
    writeFileSync(join(hostDir, 'victim'), 'host data');
    writeFileSync(join(a, 'modified'), 'new content');
    writeFileSync(join(a, 'added'), 'hello');
    rmSync(join(a, 'deleted'));
    writeFileSync(join(a, 'escape', 'planted'), 'changed');

    const first = await d.client.volumes.sync('va', 'vb');
    assert.deepEqual(
      [first.Copied, first.CopiedBytes, first.Deleted],
      [5, 'new content'.length + 'hello'.length + 'changed'.length + 'must stay inside too'.length, 0],
    );
    assert.equal(readFileSync(join(b, 'modified'), 'utf8'), 'new content');
    assert.equal(readFileSync(join(b, 'added'), 'utf8'), 'hello');
    assert.equal(readFileSync(join(b, 'deleted'), 'utf8'), 'bye', 'kept without --delete');
    assert.ok(lstatSync(join(b, 'escape')).isDirectory(), 'the link was replaced by a directory');
    assert.equal(readFileSync(join(b, 'escape', 'planted'), 'utf8'), 'changed');
    assert.equal(existsSync('/planted'), false, 'nothing written through the link to /');
    assert.ok(lstatSync(join(b, 'outfile')).isFile());
    assert.equal(readFileSync(join(hostDir, 'victim'), 'utf8'), 'host data', 'the host file is untouched');

    const dry = ok(await d.polis(['volume', 'sync', '--delete', '--dry-run', 'va', 'vb']));
    assert.match(
      dry,
      /^remove deleted\nWould sync va into vb: 0 copied \(0B\), 0 updated, 1 deleted, 6 unchanged$/,
    );
    assert.ok(existsSync(join(b, 'deleted')), 'a dry run changes nothing');
    const del = ok(await d.polis(['volume', 'sync', '--delete', 'va', 'vb']));
    assert.match(del, /: 0 copied \(0B\), 0 updated, 1 deleted, 6 unchanged$/);
    assert.equal(existsSync(join(b, 'deleted')), false);
    assert.deepEqual(await manifest(b), await manifest(a));
  });

  it('--checksum catches a same-size change with the same mtime that size+mtime misses', async () => {
    ok(await d.polis(['volume', 'create', 'c1']));
    const c1 = data('c1');
    writeFileSync(join(c1, 'f'), 'AAAA');
    utimesSync(join(c1, 'f'), 1_650_000_000, 1_650_000_000);
    ok(await d.polis(['volume', 'sync', 'c1', 'c2']));
    writeFileSync(join(c1, 'f'), 'BBBB');
    utimesSync(join(c1, 'f'), 1_650_000_000, 1_650_000_000);
    const quick = await d.client.volumes.sync('c1', 'c2');
    assert.equal(quick.Copied, 0);
    assert.equal(readFileSync(join(data('c2'), 'f'), 'utf8'), 'AAAA');
    const summed = ok(await d.polis(['volume', 'sync', '--checksum', 'c1', 'c2']));
    assert.match(summed, /: 1 copied \(4B\), 0 updated, 0 deleted, 0 unchanged$/);
    assert.equal(readFileSync(join(data('c2'), 'f'), 'utf8'), 'BBBB');
  });

  it('refuses a missing source, the same volume twice, and a missing destination name', async () => {
    const missing = await d.polis(['volume', 'sync', 'nope', 'x']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /get nope: no such volume/);
    assert.notEqual((await d.polis(['volume', 'inspect', 'x'])).code, 0, 'no destination made');
    const same = await d.polis(['volume', 'sync', 'va', 'va']);
    assert.equal(same.code, 1);
    assert.match(same.stderr, /source and destination are the same volume/);
    const res = await rawRequest(d.socket, 'POST', '/polis/v1/volumes/va/sync');
    assert.equal(res.status, 400);
    const bad = await d.polis(['volume', 'sync', 'va', 'bad/name']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /invalid/);
  });
});
