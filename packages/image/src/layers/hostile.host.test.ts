import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, lstat, mkdir, readdir, readFile, readlink, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { isPolisError, proc } from '@polis/core';
import { sha256Digest } from '../digest.js';
import { tarArchive, type TarEntry } from '../tar/writer.js';
import { withTempDir } from '../testing/temp-dir.js';
import { LayerStore } from './store.js';

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Unpacks one archive through the layer store; returns whether tar accepted it. */
async function unpack(store: LayerStore, entries: TarEntry[]): Promise<boolean> {
  const archive = tarArchive(entries);
  const chainId = sha256Digest(archive);
  try {
    await store.ensure(chainId, async () => ({ stream: Readable.from([archive]), done: Promise.resolve() }));
    return true;
  } catch (err) {
    assert.ok(isPolisError(err, 'image.layer_invalid'), `unexpected error ${String(err)}`);
    return false;
  }
}

test('hostile archives cannot write outside the layer dir', () =>
  withTempDir('hostile', async (dir) => {
    const dataRoot = join(dir, 'data');
    const outside = join(dir, 'outside');
    await mkdir(outside);
    const store = new LayerStore(dataRoot);
    await store.init();

    await unpack(store, [{ name: '../evil', type: 'file', data: 'x' }]);
    await unpack(store, [{ name: '../../../evil', type: 'file', data: 'x' }]);
    // A leading slash is stripped: the file lands inside the layer.
    const absolute: TarEntry[] = [{ name: `${outside}/abs`, type: 'file', data: 'x' }];
    assert.equal(await unpack(store, absolute), true);
    const absLayer = store.diffDir(sha256Digest(tarArchive(absolute)));
    assert.equal(await readFile(join(absLayer, outside, 'abs'), 'utf8'), 'x');
    // A symlink to outside, then a member written through it.
    await unpack(store, [
      { name: 'link', type: 'symlink', linkname: outside },
      { name: 'link/file', type: 'file', data: 'through the link' },
    ]);
    await unpack(store, [
      { name: 'rel', type: 'symlink', linkname: '../../../../outside' },
      { name: 'rel/file2', type: 'file', data: 'through the link' },
    ]);
    // A hard link to a host file.
    await unpack(store, [{ name: 'hard', type: 'hardlink', linkname: '/etc/hostname' }]);

    assert.deepEqual(await readdir(outside), [], 'nothing written into the outside dir');
    assert.equal(await exists(join(dir, 'evil')), false);
    assert.equal(await exists(join(dataRoot, 'evil')), false);
    assert.equal(await exists(join(dataRoot, 'overlay', 'evil')), false);
    assert.deepEqual((await readdir(dir)).sort(), ['data', 'outside']);
    // Nothing half-unpacked is left in the overlay root either.
    const names = await readdir(store.root);
    assert.ok(!names.some((n) => n.startsWith('.tmp-')), names.join(','));
    for (const layer of await store.list()) {
      const st = await lstat(store.diffDir(layer));
      assert.ok(st.isDirectory());
    }
  }));

test('more escapes: hard links through symlinked parents, writes through replaced symlinks', () =>
  withTempDir('hostile2', async (dir) => {
    const dataRoot = join(dir, 'data');
    const outside = join(dir, 'outside');
    await mkdir(outside);
    await writeFile(join(outside, 'secret'), 'host data');
    const store = new LayerStore(dataRoot);
    await store.init();

    // A hard link whose target path goes through a symlink to outside.
    const viaLink: TarEntry[] = [
      { name: 'sl', type: 'symlink', linkname: outside },
      { name: 'h', type: 'hardlink', linkname: 'sl/secret' },
    ];
    if (await unpack(store, viaLink)) {
      const h = join(store.diffDir(sha256Digest(tarArchive(viaLink))), 'h');
      const st = await lstat(h).catch(() => undefined);
      assert.ok(
        st === undefined || st.ino !== (await stat(join(outside, 'secret'))).ino,
        'no link to the host file',
      );
    }
    // A symlink to a host file, then a regular file of the same name: the file replaces the link.
    const replaced: TarEntry[] = [
      { name: 'f', type: 'symlink', linkname: join(outside, 'secret') },
      { name: 'f', type: 'file', data: 'overwritten' },
    ];
    await unpack(store, replaced);
    // A directory symlink, then a member below a same-named directory entry.
    await unpack(store, [
      { name: 'd', type: 'symlink', linkname: outside },
      { name: 'd/', type: 'dir' },
      { name: 'd/new', type: 'file', data: 'x' },
    ]);
    // Dot-dot hidden in the middle of a path, and a link name with dot-dots.
    await unpack(store, [{ name: 'a/../../evil2', type: 'file', data: 'x' }]);
    await unpack(store, [
      { name: 'up', type: 'symlink', linkname: '../../../../../../../../' },
      { name: 'up/evil3', type: 'file', data: 'x' },
    ]);

    assert.equal(await readFile(join(outside, 'secret'), 'utf8'), 'host data');
    assert.deepEqual(await readdir(outside), ['secret']);
    assert.deepEqual((await readdir(dir)).sort(), ['data', 'outside']);
    assert.equal((await stat(join(outside, 'secret'))).nlink, 1);
  }));

test('what layers carry is kept: owners, modes, device nodes, fifos, hard links, xattrs', () =>
  withTempDir('faithful', async (dir) => {
    const store = new LayerStore(join(dir, 'data'));
    await store.init();
    const entries: TarEntry[] = [
      { name: 'etc/', type: 'dir', mode: 0o755 },
      { name: 'etc/owned', type: 'file', data: 'x', uid: 1234, gid: 4321, mode: 0o4750 },
      { name: 'etc/same', type: 'hardlink', linkname: 'etc/owned' },
      { name: 'dev/', type: 'dir' },
      { name: 'dev/null2', type: 'char', devmajor: 1, devminor: 3, mode: 0o666 },
      { name: 'run.fifo', type: 'fifo', mode: 0o600 },
      { name: 'cap', type: 'file', data: 'y', xattrs: { 'user.polis': 'kept' } },
      { name: 'ln', type: 'symlink', linkname: '/etc/owned' },
    ];
    assert.equal(await unpack(store, entries), true);
    const root = store.diffDir(sha256Digest(tarArchive(entries)));
    const owned = await lstat(join(root, 'etc/owned'));
    assert.equal(owned.uid, 1234);
    assert.equal(owned.gid, 4321);
    assert.equal(owned.mode & 0o7777, 0o4750);
    assert.equal((await lstat(join(root, 'etc/same'))).ino, owned.ino);
    const dev = await lstat(join(root, 'dev/null2'));
    assert.ok(dev.isCharacterDevice());
    assert.equal(dev.rdev, (1 << 8) | 3);
    assert.ok((await lstat(join(root, 'run.fifo'))).isFIFO());
    assert.equal(await readlink(join(root, 'ln')), '/etc/owned');
    // getfattr comes from Debian's attr package (scripts/setup.sh installs it).
    const xattr = await proc.run('getfattr', ['--only-values', '-n', 'user.polis', join(root, 'cap')]);
    assert.equal(xattr.stdout.toString().trim(), 'kept');
  }));

test('a layer cannot set overlay or other trusted.* / security.* xattrs; file capabilities are kept', () =>
  withTempDir('xattrs', async (dir) => {
    const store = new LayerStore(join(dir, 'data'));
    await store.init();
    // VFS_CAP_REVISION_2 with the effective flag, permitting cap_net_bind_service (bit 10).
    const capability = String.fromCharCode(1, 0, 0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    const forged = {
      'trusted.overlay.opaque': 'y',
      'trusted.overlay.redirect': '/etc',
      'trusted.polis': 'x',
      'security.polis': 'x',
    };
    const entries: TarEntry[] = [
      { name: 'opaque/', type: 'dir', xattrs: forged },
      { name: 'opaque/file', type: 'file', data: 'x', xattrs: forged },
      {
        name: 'ping',
        type: 'file',
        data: 'y',
        xattrs: { 'security.capability': capability, 'user.polis': 'kept' },
      },
    ];
    assert.equal(await unpack(store, entries), true);
    const root = store.diffDir(sha256Digest(tarArchive(entries)));
    const names = async (path: string): Promise<string[]> => {
      const out = await proc.run('getfattr', ['--absolute-names', '-d', '-m', '-', path]);
      return [...out.stdout.toString().matchAll(/^([\w.]+)=/gm)].map((m) => m[1] ?? '').sort();
    };
    assert.deepEqual(await names(join(root, 'opaque')), []);
    assert.deepEqual(await names(join(root, 'opaque/file')), []);
    assert.deepEqual(await names(join(root, 'ping')), ['security.capability', 'user.polis']);
  }));
