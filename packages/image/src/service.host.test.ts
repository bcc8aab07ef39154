import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { access, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { isPolisError, type ImageRecord, type Manifest } from '@polis/core';
import { tarArchive } from './tar/writer.js';
import { withTempDir } from './testing/temp-dir.js';
import { LocalImageService } from './service.js';
import { busyboxRootfsTar } from './busybox-rootfs.js';
import { proc } from '@polis/core';

interface Ctx {
  dir: string;
  service: LocalImageService;
  db: Database.Database;
}

async function withService(fn: (ctx: Ctx) => Promise<void>): Promise<void> {
  await withTempDir('image-svc', async (dir) => {
    const db = new Database(join(dir, 'polis.db'));
    db.pragma('journal_mode = WAL');
    try {
      const service = new LocalImageService({ db, dataRoot: dir });
      await service.init();
      await fn({ dir, service, db });
    } finally {
      db.close();
    }
  });
}

let counter = 0;
/** A distinct tiny rootfs tarball each call (different content, different layer). */
function rootfs(content = `file ${counter++}`): Buffer {
  return tarArchive([
    { name: 'etc/', type: 'dir' },
    { name: 'etc/motd', type: 'file', data: content },
  ]);
}

function importBuffer(service: LocalImageService, data: Buffer, reference?: string): Promise<ImageRecord> {
  return service.importTarball(Readable.from([data]), reference === undefined ? {} : { reference });
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

test('import stores a gzip layer, an OCI config and manifest, and unpacks the layer once', () =>
  withService(async ({ dir, service }) => {
    const image = await service.importTarball(Readable.from([rootfs('hello')]), {
      reference: 'busybox',
      changes: ['CMD ["sh"]', 'ENV A=1', 'WORKDIR /srv', 'LABEL team=core', 'EXPOSE 80'],
    });
    assert.match(image.id, /^sha256:[a-f0-9]{64}$/);
    assert.deepEqual(image.repoTags, ['docker.io/library/busybox:latest']);
    assert.deepEqual(image.repoDigests, []);
    assert.equal(image.config.os, 'linux');
    assert.equal(image.config.architecture, process.arch === 'x64' ? 'amd64' : process.arch);
    assert.deepEqual(image.config.config?.Cmd, ['sh']);
    assert.deepEqual(image.config.config?.Env, ['A=1']);
    assert.equal(image.config.config?.WorkingDir, '/srv');
    assert.deepEqual(image.config.config?.Labels, { team: 'core' });
    assert.deepEqual(image.config.config?.ExposedPorts, { '80/tcp': {} });
    assert.equal(image.config.history?.[0]?.comment, 'Imported from -');
    assert.equal(image.size, rootfs('hello').length);
    const diffId = image.config.rootfs.diff_ids[0] ?? '';
    assert.deepEqual(image.chainIds, [diffId]);

    // The image id is the digest of the stored config blob.
    const configBytes = await service.blobs.readBuffer(image.id);
    assert.deepEqual(JSON.parse(configBytes.toString()), image.config);
    const manifest = await service.blobs.readJson<Manifest>(image.manifestDigest);
    assert.equal(manifest.config.digest, image.id);
    assert.equal(manifest.layers[0]?.mediaType, 'application/vnd.oci.image.layer.v1.tar+gzip');
    const layerBlob = await service.blobs.readBuffer(manifest.layers[0]?.digest ?? '');
    assert.deepEqual(layerBlob.subarray(0, 2), Buffer.from([0x1f, 0x8b]));

    const diff = join(dir, 'overlay', diffId.slice(7), 'diff');
    assert.equal(await readFile(join(diff, 'etc/motd'), 'utf8'), 'hello');
    assert.deepEqual(await readdir(join(dir, 'content/tmp')), []);
  }));

test('gzip and zstd input give the same diff id as the plain tar; junk is refused', () =>
  withService(async ({ dir, service }) => {
    const tar = rootfs('same');
    const plain = await importBuffer(service, tar);
    const gz = await importBuffer(service, gzipSync(tar));
    assert.deepEqual(gz.config.rootfs.diff_ids, plain.config.rootfs.diff_ids);
    const tarPath = join(dir, 'rootfs.tar');
    await writeFile(tarPath, tar);
    await proc.run('zstd', ['-q', tarPath, '-o', `${tarPath}.zst`]);
    const zst = await service.importTarball(createReadStream(`${tarPath}.zst`), {});
    assert.deepEqual(zst.config.rootfs.diff_ids, plain.config.rootfs.diff_ids);
    await assert.rejects(importBuffer(service, Buffer.from('definitely not a tar archive')), (err) =>
      isPolisError(err, 'image.layer_invalid'),
    );
    await assert.rejects(service.importTarball(Readable.from([tar]), { changes: ['RUN make'] }), (err) =>
      isPolisError(err, 'image.change_invalid'),
    );
  }));

test('get resolves names, familiar names, ids and unique short ids', () =>
  withService(async ({ service }) => {
    const a = await importBuffer(service, rootfs(), 'user/repo:v1');
    const hex = a.id.slice(7);
    for (const ref of [
      'user/repo:v1',
      'docker.io/user/repo:v1',
      a.id,
      hex,
      hex.slice(0, 12),
      `sha256:${hex.slice(0, 5)}`,
    ]) {
      assert.equal(service.get(ref).id, a.id, ref);
    }
    assert.throws(
      () => service.get('user/repo'),
      (err) => isPolisError(err, 'image.not_found'),
    );
    assert.throws(
      () => service.get('nope:1'),
      (err) => isPolisError(err, 'image.not_found') && /No such image: nope:1/.test(err.message),
    );
    assert.throws(
      () => service.get('Bad'),
      (err) => isPolisError(err, 'image.reference_invalid'),
    );
    // Make ids until two share a first hex digit: that prefix is then ambiguous.
    const seen = new Map<string, string>([[hex.charAt(0), a.id]]);
    for (;;) {
      const next = await importBuffer(service, rootfs());
      const first = next.id.charAt(7);
      if (seen.has(first)) {
        assert.throws(
          () => service.get(first),
          (err) => isPolisError(err, 'image.ambiguous'),
        );
        break;
      }
      seen.set(first, next.id);
    }
  }));

test('a tag moved to a newer image leaves the old one dangling; list filters', () =>
  withService(async ({ service }) => {
    const old = await service.importTarball(Readable.from([rootfs()]), {
      reference: 'app',
      changes: ['LABEL tier=web version=1'],
    });
    await new Promise((r) => setTimeout(r, 5));
    const fresh = await importBuffer(service, rootfs(), 'app');
    service.tag('app', 'registry.local:5000/team/app:2');
    assert.deepEqual(service.get(old.id).repoTags, []);
    assert.deepEqual(service.get(fresh.id).repoTags, [
      'docker.io/library/app:latest',
      'registry.local:5000/team/app:2',
    ]);
    const ids = (filters: Record<string, string[]>): string[] => service.list({ filters }).map((i) => i.id);
    assert.deepEqual(ids({}), [fresh.id, old.id], 'newest first');
    assert.deepEqual(ids({ dangling: ['true'] }), [old.id]);
    assert.deepEqual(ids({ dangling: ['false'] }), [fresh.id]);
    assert.deepEqual(ids({ reference: ['app'] }), [fresh.id]);
    assert.deepEqual(ids({ reference: ['ap*:latest'] }), [fresh.id]);
    assert.deepEqual(ids({ reference: ['registry.local:5000/team/*'] }), [fresh.id]);
    assert.deepEqual(ids({ reference: ['other*'] }), []);
    assert.deepEqual(ids({ label: ['tier'] }), [old.id]);
    assert.deepEqual(ids({ label: ['tier=web', 'version=1'] }), [old.id]);
    assert.deepEqual(ids({ label: ['tier=db'] }), []);
    assert.deepEqual(ids({ before: ['app'] }), [old.id]);
    assert.deepEqual(ids({ since: [old.id] }), [fresh.id]);
    assert.throws(
      () => ids({ bogus: ['x'] }),
      (err) => isPolisError(err, 'request.invalid'),
    );
    assert.throws(
      () => ids({ dangling: ['maybe'] }),
      (err) => isPolisError(err, 'request.invalid'),
    );
    assert.throws(
      () => service.tag('app', `app@sha256:${'a'.repeat(64)}`),
      (err) => isPolisError(err, 'image.reference_invalid'),
    );
  }));

test('remove follows Docker: untag, delete last name, conflicts, force', () =>
  withService(async ({ dir, service }) => {
    const img = await importBuffer(service, rootfs(), 'one');
    service.tag('one', 'two:latest');
    const layerDir = join(dir, 'overlay', (img.chainIds[0] ?? '').slice(7));

    // An id with names in two repositories needs force.
    await assert.rejects(service.remove(img.id), (err) => isPolisError(err, 'image.multiple_tags'));
    // A name with another name left only untags.
    assert.deepEqual(await service.remove('two'), [{ Untagged: 'two:latest' }]);
    // The last name, used by a container: 409 unless forced.
    const inUse = (): boolean => true;
    await assert.rejects(service.remove('one', { inUse }), (err) => isPolisError(err, 'image.in_use'));
    await assert.rejects(service.remove(img.id, { inUse }), (err) => isPolisError(err, 'image.in_use'));
    // Forced while used: untagged, kept as a dangling image with its layer.
    assert.deepEqual(await service.remove('one', { inUse, force: true }), [{ Untagged: 'one:latest' }]);
    assert.deepEqual(service.get(img.id).repoTags, []);
    assert.equal(await exists(layerDir), true);
    // No longer used: removing by id deletes the image, its layer and its blobs.
    assert.deepEqual(await service.remove(img.id.slice(7, 19)), [{ Deleted: img.id }]);
    assert.throws(
      () => service.get(img.id),
      (err) => isPolisError(err, 'image.not_found'),
    );
    assert.equal(await exists(layerDir), false);
    assert.deepEqual(await service.blobs.list(), []);
    await assert.rejects(service.remove('one'), (err) => isPolisError(err, 'image.not_found'));
  }));

test('remove by the last name deletes; force by id untags all and deletes; shared layers stay', () =>
  withService(async ({ dir, service }) => {
    const tar = rootfs('shared');
    const a = await importBuffer(service, tar, 'a');
    const b = await importBuffer(service, tar, 'b:1');
    service.tag('b:1', 'c');
    assert.deepEqual(a.chainIds, b.chainIds);
    const layerDir = join(dir, 'overlay', (a.chainIds[0] ?? '').slice(7));
    assert.deepEqual(await service.remove('a'), [{ Untagged: 'a:latest' }, { Deleted: a.id }]);
    assert.equal(await exists(layerDir), true, 'b still uses the layer');
    assert.deepEqual(await service.remove(b.id, { force: true }), [
      { Untagged: 'b:1' },
      { Untagged: 'c:latest' },
      { Deleted: b.id },
    ]);
    assert.equal(await exists(layerDir), false);
    assert.deepEqual(service.list(), []);
  }));

test('init removes what an interrupted import left: temp files, unrecorded layers and blobs', () =>
  withService(async ({ dir, service, db }) => {
    const kept = await importBuffer(service, rootfs(), 'kept');
    // A crash after the layer and blobs were written but before the record: simulate by deleting it.
    const lost = await importBuffer(service, rootfs(), 'lost');
    db.prepare('DELETE FROM image_images WHERE id = ?').run(lost.id);
    db.prepare('DELETE FROM image_layers WHERE image_id = ?').run(lost.id);
    db.prepare('DELETE FROM image_tags WHERE image_id = ?').run(lost.id);
    const tmp = join(dir, 'content/tmp/123-partial');
    await writeFile(tmp, 'partial');
    const again = new LocalImageService({ db, dataRoot: dir });
    await again.init();
    assert.equal(await exists(tmp), false);
    assert.equal(await exists(join(dir, 'overlay', (lost.chainIds[0] ?? '').slice(7))), false);
    assert.equal(await again.blobs.has(lost.id), false);
    assert.equal(await again.blobs.has(kept.id), true);
    assert.equal(again.get('kept').id, kept.id);
  }));

test('a busybox rootfs from busyboxRootfsTar imports and reads back', () =>
  withService(async ({ dir, service }) => {
    const tarPath = await busyboxRootfsTar(join(dir, 'busybox.tar'));
    const image = await service.importTarball(createReadStream(tarPath), {
      reference: 'busybox',
      changes: ['CMD ["sh"]'],
    });
    const diff = service.layers.diffDir(image.chainIds[0] ?? '');
    assert.ok((await readdir(join(diff, 'bin'))).includes('sh'));
    assert.match(await readFile(join(diff, 'etc/passwd'), 'utf8'), /^nobody:x:65534:65534:/m);
    const layout = await service.mountRootfs(image.id, join(dir, 'c'));
    try {
      const out = await proc.run('chroot', [
        layout.target,
        '/bin/sh',
        '-c',
        'echo hello from $(id -un); ls -ld /tmp',
      ]);
      assert.match(out.stdout, /^hello from root\n/);
      assert.match(out.stdout, /^drwxrwxrwt /m);
    } finally {
      await service.unmountRootfs(join(dir, 'c'));
    }
  }));

test('an import whose input breaks midway leaves no image, blob, layer or temp file', () =>
  withService(async ({ dir, service }) => {
    const tar = rootfs('x'.repeat(200_000));
    async function* broken(): AsyncGenerator<Buffer> {
      yield tar.subarray(0, 100_000);
      throw new Error('client went away');
    }
    await assert.rejects(service.importTarball(Readable.from(broken()), { reference: 'broken' }));
    assert.deepEqual(service.list(), []);
    assert.deepEqual(await service.blobs.list(), []);
    assert.deepEqual(await service.layers.list(), []);
    assert.deepEqual(await readdir(join(dir, 'content/tmp')), []);
  }));
