import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import Database from 'better-sqlite3';
import { sha256Digest } from '../digest.js';
import { chainIds } from '../layers/chain.js';
import { LayerStore } from '../layers/store.js';
import { LocalImageService } from '../service.js';
import { tarArchive } from '../tar/writer.js';
import { withTempDir } from '../testing/temp-dir.js';
import { isMounted, mountPoints, unescapeMountPath } from './mountinfo.js';
import { mountOverlay, unmountOverlay } from './overlay.js';

test('mountinfo paths are unescaped', () => {
  assert.equal(unescapeMountPath('/a\\040b\\011c\\134d'), '/a b\tc\\d');
  const info = '36 35 98:0 /mnt1 /mnt/with\\040space rw,noatime master:1 - ext3 /dev/root rw\n';
  assert.deepEqual(mountPoints(info), ['/mnt/with space']);
});

test('an imported image mounts as overlay; mount and unmount are idempotent; busy unmounts lazily', () =>
  withTempDir('rootfs', async (dir) => {
    const db = new Database(join(dir, 'polis.db'));
    try {
      const service = new LocalImageService({ db, dataRoot: join(dir, 'data') });
      await service.init();
      const image = await service.importTarball(
        Readable.from([
          tarArchive([
            { name: 'etc/', type: 'dir' },
            { name: 'etc/motd', type: 'file', data: 'hi' },
          ]),
        ]),
        { reference: 'tiny' },
      );
      const containerDir = join(dir, 'containers', 'c1');
      const layout = await service.mountRootfs(image.id, containerDir);
      assert.deepEqual(layout, {
        lowerDirs: [service.layers.diffDir(image.chainIds[0] ?? '')],
        upperDir: join(containerDir, 'upper'),
        workDir: join(containerDir, 'work'),
        target: join(containerDir, 'rootfs'),
      });
      assert.equal(await isMounted(layout.target), true);
      assert.equal(await readFile(join(layout.target, 'etc/motd'), 'utf8'), 'hi');
      // Writes land in the container's upper dir, never in the shared layer.
      await writeFile(join(layout.target, 'etc/motd'), 'changed');
      assert.equal(await readFile(join(layout.upperDir, 'etc/motd'), 'utf8'), 'changed');
      assert.equal(await readFile(join(layout.lowerDirs[0] ?? '', 'etc/motd'), 'utf8'), 'hi');

      assert.deepEqual(await service.mountRootfs('tiny', containerDir), layout);
      const info = await readFile('/proc/self/mountinfo', 'utf8');
      assert.equal(mountPoints(info).filter((p) => p === layout.target).length, 1, 'mounted once');

      const busy = await open(join(layout.target, 'etc/motd'), 'r');
      try {
        await service.unmountRootfs(containerDir);
        assert.equal(await isMounted(layout.target), false);
      } finally {
        await busy.close();
      }
      await service.unmountRootfs(containerDir);
      await service.unmountRootfs(join(dir, 'never-mounted'));
    } finally {
      db.close();
    }
  }));

test('a hundred layers mount in order through short links (lowerdir fits in a page)', () =>
  withTempDir('rootfs-many', async (dir) => {
    // A long data root: absolute lowerdir paths for 100 layers would need about 12 KB.
    const dataRoot = join(dir, 'a-rather-long-directory-name-to-make-absolute-paths-too-long-for-one-page');
    const layers = new LayerStore(dataRoot);
    await layers.init();
    const archives = Array.from({ length: 100 }, (_, i) =>
      tarArchive([
        { name: `layer${i}`, type: 'file', data: String(i) },
        { name: 'top', type: 'file', data: String(i) },
      ]),
    );
    const chain = chainIds(archives.map((a) => sha256Digest(a)));
    for (const [i, chainId] of chain.entries()) {
      const archive = archives[i] ?? Buffer.alloc(0);
      await layers.ensure(chainId, async () => ({
        stream: Readable.from([archive]),
        done: Promise.resolve(),
      }));
    }
    const top = [...chain].reverse();
    const containerDir = join(dir, 'c');
    const layout = await mountOverlay(containerDir, {
      base: layers.root,
      relative: top.map((c) => layers.link(c)),
      absolute: top.map((c) => layers.diffDir(c)),
    });
    try {
      assert.equal(await readFile(join(layout.target, 'top'), 'utf8'), '99', 'the top layer wins');
      const names = await readdir(layout.target);
      assert.equal(names.filter((n) => n.startsWith('layer')).length, 100);
    } finally {
      await unmountOverlay(containerDir);
    }
    assert.equal(await isMounted(layout.target), false);
  }));
