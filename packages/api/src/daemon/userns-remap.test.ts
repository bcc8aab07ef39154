import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkRemappedAccess, resolveUsernsRemap } from './userns-remap.js';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'polis-remap-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('USER[:GROUP] takes the ranges of the user (by name or uid) and of the group', async () => {
  await withDir(async (dir) => {
    const files = { subuid: join(dir, 'subuid'), subgid: join(dir, 'subgid') };
    await writeFile(files.subuid, 'root:300000:10\nother:1:5\n0:100000:65536\n');
    await writeFile(files.subgid, 'root:200000:65536\n');
    assert.deepEqual(await resolveUsernsRemap('root', files), {
      uids: [
        { containerID: 0, hostID: 100000, size: 65536 },
        { containerID: 65536, hostID: 300000, size: 10 },
      ],
      gids: [{ containerID: 0, hostID: 200000, size: 65536 }],
    });
    await assert.rejects(
      resolveUsernsRemap('root:daemon', files),
      /no subgid ranges found for group "daemon"/,
    );
    await assert.rejects(resolveUsernsRemap('polis-no-such-user', files), /no such user/);
    await writeFile(files.subuid, '');
    await assert.rejects(resolveUsernsRemap('root', files), /no subuid ranges found for user "root"/);
  });
});

test('a directory above the data root that shuts the mapped root out is refused at start', async () => {
  await withDir(async (dir) => {
    const data = join(dir, 'a', 'data');
    await mkdir(data, { recursive: true });
    await chmod(dir, 0o700);
    await assert.rejects(
      checkRemappedAccess(data, { uid: 100000, gid: 100000 }),
      /does not let the remapped root/,
    );
    await chmod(dir, 0o711);
    await checkRemappedAccess(data, { uid: 100000, gid: 100000 });
  });
});
