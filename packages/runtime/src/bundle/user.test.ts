import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveUser } from './user.js';

async function rootfs(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'polis-user-'));
  await mkdir(join(dir, 'etc'));
  await writeFile(
    join(dir, 'etc/passwd'),
    'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\napp:x:1000:1000::/home/app:/bin/sh\n',
  );
  await writeFile(join(dir, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\napp:x:1000:\nwheel:x:10:app\n');
  return dir;
}

test('user names and ids resolve against the rootfs', async () => {
  const dir = await rootfs();
  try {
    assert.deepEqual(await resolveUser(dir, ''), { uid: 0, gid: 0, additionalGids: [], home: '/root' });
    assert.deepEqual(await resolveUser(dir, 'app'), {
      uid: 1000,
      gid: 1000,
      additionalGids: [10],
      home: '/home/app',
    });
    assert.equal((await resolveUser(dir, '1000:10')).gid, 10);
    assert.equal((await resolveUser(dir, 'nobody:app')).gid, 1000);
    assert.deepEqual(await resolveUser(dir, '4242'), { uid: 4242, gid: 0, additionalGids: [], home: '/' });
    await assert.rejects(resolveUser(dir, 'ghost'), { code: 'container.start_failed' });
    await assert.rejects(resolveUser(dir, 'app:ghosts'), { code: 'container.start_failed' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a passwd file that is a symlink out of the rootfs is not followed', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'polis-user-'));
  try {
    await mkdir(join(dir, 'etc'));
    await symlink('/etc/passwd', join(dir, 'etc/passwd'));
    await assert.rejects(resolveUser(dir, 'root'), { code: 'container.start_failed' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
