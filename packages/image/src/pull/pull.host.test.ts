import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { MediaType, isPolisError } from '@polis/core';
import { sha256Digest } from '../digest.js';
import { LocalImageService } from '../service.js';
import { tarArchive } from '../tar/writer.js';
import { withTempDir } from '../testing/temp-dir.js';

/**
 * A registry in the test process serving fixed documents: enough to drive pulls through their
 * failure paths (the e2e tests use the real docker-registry).
 */
class FixtureRegistry {
  readonly docs = new Map<string, { type: string; body: Buffer }>();
  readonly hits = new Map<string, number>();
  private server: Server | undefined;
  host = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const path = req.url ?? '';
      this.hits.set(path, (this.hits.get(path) ?? 0) + 1);
      if (path === '/v2/') return void res.end('{}');
      const doc = this.docs.get(path);
      if (!doc) {
        res.writeHead(404, { 'content-type': 'application/json' });
        return void res.end(
          JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }),
        );
      }
      res.writeHead(200, { 'content-type': doc.type, 'content-length': doc.body.length });
      // Slow enough that two pulls overlap.
      setTimeout(() => res.end(doc.body), 30);
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r));
    this.host = `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server?.close(() => r()));
  }

  blob(repo: string, body: Buffer, digest = sha256Digest(body)): string {
    this.docs.set(`/v2/${repo}/blobs/${digest}`, { type: 'application/octet-stream', body });
    return digest;
  }

  /** An image of one layer; returns its manifest digest and config. */
  image(
    repo: string,
    tag: string,
    files: Record<string, string>,
    opts: { arch?: string; lie?: boolean; badLayer?: boolean; wrongDiffId?: boolean } = {},
  ) {
    const tar = tarArchive(
      Object.entries(files).map(([name, data]) => ({ name, type: 'file' as const, data })),
    );
    const gz = gzipSync(tar);
    const layerDigest = opts.badLayer ? sha256Digest(Buffer.from('other')) : sha256Digest(gz);
    this.blob(repo, gz, layerDigest);
    const config = Buffer.from(
      JSON.stringify({
        architecture: opts.arch ?? 'amd64',
        os: 'linux',
        rootfs: {
          type: 'layers',
          diff_ids: [opts.wrongDiffId ? sha256Digest('not the layer') : sha256Digest(tar)],
        },
      }),
    );
    const configDigest = this.blob(repo, config);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.OciManifest,
        config: { mediaType: MediaType.OciConfig, digest: configDigest, size: config.length },
        layers: [{ mediaType: MediaType.OciLayerGzip, digest: layerDigest, size: gz.length }],
      }),
    );
    const digest = sha256Digest(manifest);
    const type = opts.lie ? MediaType.DockerManifest : MediaType.OciManifest;
    this.docs.set(`/v2/${repo}/manifests/${tag}`, { type, body: manifest });
    this.docs.set(`/v2/${repo}/manifests/${digest}`, { type, body: manifest });
    return { digest, size: manifest.length, configDigest };
  }
}

async function withService(
  fn: (service: LocalImageService, registry: FixtureRegistry, dir: string) => Promise<void>,
) {
  await withTempDir('pull', async (dir) => {
    const db = new Database(join(dir, 'polis.db'));
    const registry = new FixtureRegistry();
    await registry.start();
    try {
      const service = new LocalImageService({ db, dataRoot: dir });
      await service.init();
      await fn(service, registry, dir);
    } finally {
      await registry.stop();
      db.close();
    }
  });
}

async function storeListing(dir: string): Promise<string[]> {
  const blobs = await readdir(join(dir, 'content', 'blobs', 'sha256'));
  const layers = (await readdir(join(dir, 'overlay'))).filter((n) => n !== 'l' && n !== 'empty');
  const tmp = await readdir(join(dir, 'content', 'tmp'));
  return [...blobs, ...layers, ...tmp.map((t) => `tmp/${t}`)].sort();
}

test('two concurrent pulls of one image download each blob once and both succeed', () =>
  withService(async (service, registry) => {
    const { configDigest } = registry.image('x/app', 'v1', { 'hello.txt': 'hi' });
    const [a, b] = await Promise.all([
      service.pull(`${registry.host}/x/app:v1`),
      service.pull(`${registry.host}/x/app:v1`),
    ]);
    assert.equal(a.image.id, configDigest);
    assert.equal(b.image.id, configDigest);
    const layerHits = [...registry.hits].filter(
      ([p]) => p.includes('/blobs/') && p !== `/v2/x/app/blobs/${configDigest}`,
    );
    assert.deepEqual(
      layerHits.map(([, n]) => n),
      [1],
    );
    assert.deepEqual(await service.verify(), []);
  }));

test('an index gets the host platform; --platform picks another', () =>
  withService(async (service, registry) => {
    const amd = registry.image('x/multi', 'amd', { a: 'amd' }, { arch: 'amd64' });
    const arm = registry.image('x/multi', 'arm', { a: 'arm' }, { arch: 'arm64' });
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.OciIndex,
        manifests: [
          {
            mediaType: MediaType.OciManifest,
            digest: arm.digest,
            size: arm.size,
            platform: { os: 'linux', architecture: 'arm64' },
          },
          {
            mediaType: MediaType.OciManifest,
            digest: amd.digest,
            size: amd.size,
            platform: { os: 'linux', architecture: 'amd64' },
          },
        ],
      }),
    );
    registry.docs.set('/v2/x/multi/manifests/latest', { type: MediaType.OciIndex, body: index });
    const host = process.arch === 'arm64' ? arm : amd;
    const pulled = await service.pull(`${registry.host}/x/multi`);
    assert.equal(pulled.image.id, host.configDigest);
    assert.equal(pulled.digest, sha256Digest(index));
    const other = await service.pull(`${registry.host}/x/multi`, {
      platform: { os: 'linux', architecture: process.arch === 'arm64' ? 'amd64' : 'arm64' },
    });
    assert.equal(other.image.id, (process.arch === 'arm64' ? amd : arm).configDigest);
    await assert.rejects(
      service.pull(`${registry.host}/x/multi`, { platform: { os: 'linux', architecture: 's390x' } }),
      /no matching manifest for linux\/s390x/,
    );
  }));

test('bad content fails with a clear error and leaves the store as it was', () =>
  withService(async (service, registry, dir) => {
    registry.image('x/lie', 'v1', { f: '1' }, { lie: true });
    registry.image('x/bad', 'v1', { f: '2' }, { badLayer: true });
    registry.image('x/diff', 'v1', { f: '3' }, { wrongDiffId: true });
    const before = await storeListing(dir);
    await assert.rejects(
      service.pull(`${registry.host}/x/lie:v1`),
      (err) => isPolisError(err, 'image.manifest_invalid') && /media type mismatch/.test(err.message),
    );
    await assert.rejects(service.pull(`${registry.host}/x/bad:v1`), (err) =>
      isPolisError(err, 'image.digest_mismatch'),
    );
    await assert.rejects(
      service.pull(`${registry.host}/x/diff:v1`),
      (err) => isPolisError(err, 'image.digest_mismatch') && /diff id/.test(err.message),
    );
    await assert.rejects(service.pull(`${registry.host}/x/none:v1`), (err) =>
      isPolisError(err, 'registry.manifest_unknown'),
    );
    await assert.rejects(service.pull(`${registry.host}/x/bad@sha256:${'0'.repeat(64)}`), (err) =>
      isPolisError(err, 'registry.manifest_unknown'),
    );
    assert.deepEqual(await storeListing(dir), before);
    assert.deepEqual(service.list(), []);
  }));
