import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { proc } from '@polis/core';
import { VolumeManager } from './manager.js';
import { listLoops } from './loops.js';
import { isMountPoint } from './mounts.js';
import type { VolumeUser } from './types.js';

/** Loop devices backed by a file under `root`. */
async function loopsUnder(root: string): Promise<string[]> {
  return (await listLoops()).filter((d) => d.file.startsWith(`${root}/`)).map((d) => d.name);
}

async function withManager(
  fn: (m: VolumeManager, root: string, users: Map<string, VolumeUser[]>) => Promise<void>,
) {
  const root = mkdtempSync(join(tmpdir(), 'polis-sized-'));
  const m = new VolumeManager({ db: new Database(':memory:'), dataRoot: root });
  await m.init();
  const users = new Map<string, VolumeUser[]>();
  m.attachUsers(() => users);
  try {
    await fn(m, root, users);
  } finally {
    for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
      const target = line.split(' ')[4];
      if (target?.startsWith(`${root}/`)) await proc.run('umount', ['-l', target]).catch(() => undefined);
    }
    for (const d of await loopsUnder(root)) await proc.run('losetup', ['-d', d]).catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  }
}

test('size=: an ext4 image on a loop device that refuses writes past its size', async () => {
  await withManager(async (m, root, users) => {
    const v = m.create({ name: 'small', driverOptions: { size: '4m' } }).volume;
    users.set('small', [{ id: 'c1', running: true }]);
    await m.mount('small');
    assert.equal(await isMountPoint(v.mountpoint), true);
    assert.deepEqual(readdirSync(v.mountpoint), [], 'no lost+found in a fresh volume');
    assert.equal((await loopsUnder(root)).length, 1);
    const big = Buffer.alloc(5 * 1024 * 1024);
    assert.throws(() => writeFileSync(join(v.mountpoint, 'big'), big), { code: 'ENOSPC' });
    rmSync(join(v.mountpoint, 'big'));
    writeFileSync(join(v.mountpoint, 'kept'), 'kept');
    users.set('small', [{ id: 'c1', running: false }]);
    await m.release('small');
    assert.equal(await isMountPoint(v.mountpoint), false);
    assert.deepEqual(await loopsUnder(root), [], 'the unmount frees the loop device');
    users.set('small', [{ id: 'c2', running: true }]);
    await m.mount('small');
    assert.equal(readFileSync(join(v.mountpoint, 'kept'), 'utf8'), 'kept');
    users.clear();
    await m.remove('small');
    assert.equal(existsSync(join(root, 'volumes', 'small')), false);
    assert.deepEqual(await loopsUnder(root), []);
  });
});

test('boot: a loop device a crash left attached but unmounted is detached; an unused volume unmounted', async () => {
  await withManager(async (m, root, users) => {
    const v = m.create({ name: 'left', driverOptions: { size: '2m' } }).volume;
    const idle = m.create({ name: 'idle', driverOptions: { size: '2m' } }).volume;
    users.set('left', [{ id: 'c1', running: true }]);
    users.set('idle', [{ id: 'c1', running: true }]);
    await m.mount('left');
    await m.mount('idle');
    // As a crash between attaching and mounting leaves it: attached, not mounted.
    await proc.run('umount', [v.mountpoint]);
    const { stdout } = await proc.run('losetup', [
      '--find',
      '--show',
      join(root, 'volumes', 'left', 'disk.img'),
    ]);
    users.set('left', []);
    users.set('idle', []);
    await m.reconcileMounts();
    assert.equal(await isMountPoint(idle.mountpoint), false);
    assert.deepEqual(await loopsUnder(root), [], `${stdout.trim()} detached`);
  });
});

test('hold: a volume stays mounted for a copy while its last container stops, and goes after', async () => {
  await withManager(async (m, root, users) => {
    const v = m.create({ name: 'held', driverOptions: { size: '2m' } }).volume;
    users.set('held', [{ id: 'c1', running: true }]);
    await m.mount('held');
    const release = await m.hold('held');
    users.set('held', [{ id: 'c1', running: false }]);
    await m.release('held', 'c1');
    assert.equal(await isMountPoint(v.mountpoint), true, 'held');
    await release();
    await release();
    assert.equal(await isMountPoint(v.mountpoint), false);
    assert.deepEqual(await loopsUnder(root), []);
  });
});
