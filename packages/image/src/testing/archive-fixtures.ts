import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { proc, type ImageRecord } from '@polis/core';
import { sha256Digest } from '../digest.js';
import { LocalImageService } from '../service.js';
import { tarArchive } from '../tar/writer.js';
import { withTempDir } from './temp-dir.js';

/** Test helpers: image services on temp data roots and small images committed into them. */

export interface Services {
  dir: string;
  open(name: string): Promise<LocalImageService>;
}

/** Runs `fn` with a temp dir in which `open` makes independent image services (own db and data root). */
export async function withServices(fn: (ctx: Services) => Promise<void>): Promise<void> {
  await withTempDir('archive', async (dir) => {
    const dbs: Database.Database[] = [];
    try {
      await fn({
        dir,
        open: async (name) => {
          const db = new Database(join(dir, `${name}.db`));
          db.pragma('journal_mode = WAL');
          dbs.push(db);
          const service = new LocalImageService({ db, dataRoot: join(dir, name) });
          await service.init();
          return service;
        },
      });
    } finally {
      for (const db of dbs) db.close();
    }
  });
}

let counter = 0;
/** A distinct small layer tar each call. */
export function layerTar(content = `layer ${counter++}`): Buffer {
  return tarArchive([
    { name: 'etc/', type: 'dir' },
    { name: `etc/file-${counter++}`, type: 'file', data: content },
  ]);
}

/** zstd-compresses in memory (through base64, as proc.run hands stdout back as text). */
export async function zstd(data: Buffer): Promise<Buffer> {
  const out = await proc.run('sh', ['-c', 'zstd -q -c | base64 -w0'], { input: data });
  return Buffer.from(out.stdout, 'base64');
}

export function imageConfig(layers: Buffer[], extra: object = {}): Buffer {
  return Buffer.from(
    JSON.stringify({
      architecture: process.arch === 'x64' ? 'amd64' : process.arch,
      os: 'linux',
      created: '2024-05-06T07:08:09Z',
      config: { Cmd: ['sh'] },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => sha256Digest(l)) },
      ...extra,
    }),
  );
}

/** Commits an image of the given layer tars, stored gzip (default) or zstd. */
export async function commitLayers(
  service: LocalImageService,
  layers: Buffer[],
  tags: string[] = [],
  compress: 'gzip' | 'zstd' = 'gzip',
): Promise<ImageRecord> {
  const stored = [];
  for (const tar of layers) {
    const blob = compress === 'gzip' ? gzipSync(tar) : await zstd(tar);
    const info = await service.blobs.write(blob);
    stored.push({ ...info, mediaType: `application/vnd.oci.image.layer.v1.tar+${compress}` });
  }
  return service.commitImage({ config: imageConfig(layers), layers: stored, tags });
}

export async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Unpacks a tar (GNU tar) into `dir`. */
export async function untar(archive: Buffer, dir: string): Promise<void> {
  await proc.run('tar', ['-x', '-f', '-', '-C', dir], { input: archive });
}

/** What a service holds: images, blobs and temp entries, to check a failed load left nothing. */
export async function contents(service: LocalImageService): Promise<{
  images: number;
  blobs: string[];
  tmp: string[];
}> {
  return {
    images: service.list().length,
    blobs: await service.blobs.list(),
    tmp: await readdir(service.blobs.tmpDir),
  };
}
