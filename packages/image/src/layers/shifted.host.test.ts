import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, link, lstat, mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { proc } from '@polis/core';
import { shiftTree } from './shifted.js';

const mappings = {
  uids: [{ containerID: 0, hostID: 100000, size: 65536 }],
  gids: [{ containerID: 0, hostID: 200000, size: 65536 }],
};

test('shiftTree moves every owner through the maps, keeps set-id bits, and shifts hard links once', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'polis-shift-'));
  try {
    const src = join(dir, 'src');
    await mkdir(join(src, 'bin'), { recursive: true });
    await writeFile(join(src, 'bin', 'su'), 'x');
    await chmod(join(src, 'bin', 'su'), 0o4755);
    await link(join(src, 'bin', 'su'), join(src, 'bin', 'hard'));
    await writeFile(join(src, 'owned'), 'y');
    await proc.run('chown', ['1000:50', join(src, 'owned')]);
    await symlink('bin/su', join(src, 'sym'));
    await proc.run('chown', ['-h', '7:8', join(src, 'sym')]);
    const copy = join(dir, 'copy');
    await proc.run('cp', ['-a', '--', src, copy]);
    await shiftTree(src, copy, mappings);

    const su = await stat(join(copy, 'bin', 'su'));
    assert.deepEqual([su.uid, su.gid, su.mode & 0o7777], [100000, 200000, 0o4755]);
    assert.equal((await stat(join(copy, 'bin', 'hard'))).ino, su.ino, 'still one inode');
    const owned = await stat(join(copy, 'owned'));
    assert.deepEqual([owned.uid, owned.gid], [101000, 200050]);
    const sym = await lstat(join(copy, 'sym'));
    assert.deepEqual([sym.uid, sym.gid], [100007, 200008]);
    assert.equal((await stat(copy)).uid, 100000);
    assert.equal((await stat(join(src, 'bin', 'su'))).uid, 0, 'the original is untouched');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
