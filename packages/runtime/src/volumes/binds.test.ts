import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mountPointInside } from './binds.js';

test('mount points behind symlinks in the image land inside the rootfs, never on the host', async () => {
  const root = await mkdtemp(join(tmpdir(), 'rootfs-'));
  try {
    await mkdir(join(root, 'etc'));
    await symlink('/etc', join(root, 'a'));
    await symlink('../../..', join(root, 'b'));
    assert.equal(await mountPointInside(root, '/a/conf'), '/etc/conf');
    assert.equal(await mountPointInside(root, '/b/etc/x'), '/etc/x');
    assert.equal(await mountPointInside(root, '/plain/dir'), '/plain/dir');
    await assert.rejects(mountPointInside(root, '/b'), { code: 'request.invalid' });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
