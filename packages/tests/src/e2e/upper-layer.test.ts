import assert from 'node:assert/strict';
import {
  link,
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  rm,
  stat,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buffer } from 'node:stream/consumers';
import { proc } from '@polis/core';
import {
  ChangeKind,
  convertWhiteouts,
  exportTree,
  extractTar,
  planUpperLayer,
  upperChanges,
  upperLayerTar,
} from '@polis/image';

/**
 * An overlay upper dir made by hand (0:0 devices and `trusted.*` xattrs need root, hence here and
 * not in the image package's unit tests) over two layer dirs, as overlayfs would leave them.
 */
describe('overlay upper dirs: change kinds and OCI layers', () => {
  let root: string;
  let lower: string;
  let middle: string;
  let upper: string;
  const T = new Date('2020-01-02T03:04:05Z');

  const whiteout = (path: string): Promise<unknown> => proc.run('mknod', [path, 'c', '0', '0']);
  const opaque = (path: string): Promise<unknown> =>
    proc.run('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', path]);

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'polis-upper-'));
    [lower, middle, upper] = [join(root, 'lower'), join(root, 'middle'), join(root, 'upper')];
    for (const dir of ['a', 'b', 'c', 'etc']) await mkdir(join(lower, dir), { recursive: true });
    await writeFile(join(lower, 'a/f1'), 'old');
    await writeFile(join(lower, 'b/file'), 'doomed');
    await writeFile(join(lower, 'c/x'), '');
    await writeFile(join(lower, 'c/y'), '');
    await writeFile(join(lower, 'etc/passwd'), 'root\n');
    await writeFile(join(lower, 'gone'), 'deleted by the middle layer');
    // A layer may hold a symlink out of the tree: it must never be looked through.
    await symlink('/etc', join(lower, 'link'));
    await mkdir(middle);
    await whiteout(join(middle, 'gone'));

    for (const dir of ['a', 'b', 'c', 'link', 'etc', 'proc'])
      await mkdir(join(upper, dir), { recursive: true });
    // Mount point stubs the runtime made (the image lacks them): Docker never shows these.
    await writeFile(join(upper, 'etc/hosts'), '');
    await writeFile(join(upper, 'new'), 'x\n');
    await writeFile(join(upper, 'a/f1'), 'new');
    await whiteout(join(upper, 'b/file'));
    await writeFile(join(upper, 'c/z'), '');
    await opaque(join(upper, 'c'));
    await writeFile(join(upper, 'link/passwd'), 'not the host one');
    await writeFile(join(upper, 'gone'), 'back');
    await writeFile(join(upper, 'h1'), 'linked');
    await link(join(upper, 'h1'), join(upper, 'h2'));
    await symlink('/etc', join(upper, 'escape'));
    // `a` was copied up only because a/f1 changed: same mode, size and times as below.
    for (const base of [lower, upper]) for (const dir of ['a', 'etc']) await utimes(join(base, dir), T, T);
  });

  after(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('classifies additions, modifications and deletions as Docker does, in its order', async () => {
    const changes = await upperChanges(upper, [middle, lower]);
    const letter = { [ChangeKind.Modified]: 'C', [ChangeKind.Added]: 'A', [ChangeKind.Deleted]: 'D' };
    assert.deepEqual(
      changes.map((c) => `${letter[c.kind]} ${c.path}`),
      [
        'C /a/f1',
        'C /b',
        'D /b/file',
        'C /c',
        'D /c/x',
        'D /c/y',
        'A /c/z',
        'A /escape',
        // The middle layer deleted it: it is new again, not modified.
        'A /gone',
        'A /h1',
        'A /h2',
        // `link` is a symlink to /etc below; the host's /etc/passwd must not make this "modified".
        'C /link',
        'A /link/passwd',
        'A /new',
      ],
    );
  });

  it('an upper dir that does not exist yet has no changes', async () => {
    assert.deepEqual(await upperChanges(join(root, 'nothing'), [lower]), []);
  });

  it('makes a layer with OCI whiteouts that unpacks back into the same overlay form', async () => {
    const plan = await planUpperLayer(upper, [middle, lower]);
    const tar = upperLayerTar(upper, plan);
    const [bytes] = await Promise.all([buffer(tar.stream), tar.done]);
    const listing = (await proc.run('tar', ['-tvf', '-'], { input: bytes })).stdout;
    const names = (await proc.run('tar', ['-tf', '-'], { input: bytes })).stdout.split('\n');
    for (const name of ['new', 'a/f1', 'b/.wh.file', 'c/z', 'c/.wh..wh..opq', 'link/passwd', 'h1', 'h2']) {
      assert.ok(names.includes(name), `${name} in\n${listing}`);
    }
    assert.ok(!names.includes('b/file'), listing);
    assert.ok(!names.includes('proc') && !names.includes('etc/hosts'), listing);
    // No device nodes, the symlink is archived as one, the hard link as one.
    assert.doesNotMatch(listing, /^c/m);
    assert.match(listing, /^l.* escape -> \/etc$/m);
    assert.match(listing, /^h.* h2 link to h1$/m);
    assert.ok(!names.some((n) => n.startsWith('escape/')), listing);

    // The image package's own unpacking turns the markers back into overlay whiteouts.
    const unpacked = join(root, 'unpacked');
    await mkdir(unpacked);
    await extractTar(bytes, unpacked);
    await convertWhiteouts(unpacked);
    const st = await lstat(join(unpacked, 'b/file'));
    assert.ok(st.isCharacterDevice() && st.rdev === 0);
    const xattr = await proc.run('getfattr', [
      '--only-values',
      '-n',
      'trusted.overlay.opaque',
      join(unpacked, 'c'),
    ]);
    assert.equal(xattr.stdout, 'y');
    assert.equal(await readFile(join(unpacked, 'a/f1'), 'utf8'), 'new');
    assert.equal((await stat(join(unpacked, 'h1'))).ino, (await stat(join(unpacked, 'h2'))).ino);
  });

  it('an empty upper dir makes an empty, valid layer', async () => {
    const empty = join(root, 'empty');
    await mkdir(empty);
    const tar = upperLayerTar(empty, await planUpperLayer(empty));
    const [bytes] = await Promise.all([buffer(tar.stream), tar.done]);
    assert.equal((await proc.run('tar', ['-tf', '-'], { input: bytes })).stdout, '');
  });

  it('exports a tree with relative names, never through a symlink', async () => {
    const tree = await exportTree(upper);
    const [bytes] = await Promise.all([buffer(tree.stream), tree.done]);
    const names = (await proc.run('tar', ['-tf', '-'], { input: bytes })).stdout.split('\n');
    assert.ok(names.includes('new') && names.includes('c/z') && names.includes('escape'), names.join(' '));
    assert.ok(!names.some((n) => n.startsWith('escape/') || n.startsWith('./') || n.startsWith('/')));
  });
});
