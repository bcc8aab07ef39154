import type Database from 'better-sqlite3';
import type { ImageConfig, ImageRecord } from '@polis/core';
import { createSchema } from './schema.js';

export interface LayerRow {
  chainId: string;
  diffId: string;
  /** Digest of the stored (compressed) blob. */
  blobDigest: string;
  mediaType: string;
  /** Uncompressed size. */
  size: number;
}

export interface NewImage {
  id: string;
  manifestDigest: string;
  config: ImageConfig;
  layers: LayerRow[];
}

interface ImageRow {
  id: string;
  manifest_digest: string;
  config: string;
  size: number;
  created: string;
}

/** What deleting an image freed: layers and blobs that no other image uses any more. */
export interface Orphans {
  chainIds: string[];
  blobs: string[];
}

/** The SQL side of the image store. All methods are synchronous, as better-sqlite3 is. */
export class ImageRecords {
  constructor(private readonly db: Database.Database) {
    createSchema(db);
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** Records an image; an image with the same id (same config) is kept as it is. */
  insert(image: NewImage): void {
    this.transaction(() => {
      const size = image.layers.reduce((sum, l) => sum + l.size, 0);
      const inserted = this.db
        .prepare(
          `INSERT OR IGNORE INTO image_images (id, manifest_digest, config, size, created, stored_at)
           VALUES (?, ?, ?, ?, ?, ?)`,
        )
        .run(
          image.id,
          image.manifestDigest,
          JSON.stringify(image.config),
          size,
          image.config.created ?? '',
          Date.now(),
        );
      if (inserted.changes === 0) return;
      const layer = this.db.prepare(
        `INSERT INTO image_layers (image_id, position, chain_id, diff_id, blob_digest, media_type, size)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      );
      image.layers.forEach((l, i) =>
        layer.run(image.id, i, l.chainId, l.diffId, l.blobDigest, l.mediaType, l.size),
      );
    });
  }

  has(id: string): boolean {
    return this.db.prepare('SELECT 1 FROM image_images WHERE id = ?').get(id) !== undefined;
  }

  get(id: string): ImageRecord | undefined {
    const row = this.db.prepare('SELECT * FROM image_images WHERE id = ?').get(id) as ImageRow | undefined;
    if (!row) return undefined;
    return this.toRecord(row, this.tagsOf(id), this.digestsOf(id), this.chainIdsOf(id));
  }

  all(): ImageRecord[] {
    const rows = this.db.prepare('SELECT * FROM image_images').all() as ImageRow[];
    const tags = this.grouped('SELECT image_id AS k, name AS v FROM image_tags ORDER BY rowid');
    const digests = this.grouped('SELECT image_id AS k, name AS v FROM image_digests ORDER BY rowid');
    const chains = this.grouped(
      'SELECT image_id AS k, chain_id AS v FROM image_layers ORDER BY image_id, position',
    );
    return rows.map((r) =>
      this.toRecord(r, tags.get(r.id) ?? [], digests.get(r.id) ?? [], chains.get(r.id) ?? []),
    );
  }

  layersOf(id: string): LayerRow[] {
    return (
      this.db
        .prepare(
          `SELECT chain_id, diff_id, blob_digest, media_type, size FROM image_layers
           WHERE image_id = ? ORDER BY position`,
        )
        .all(id) as {
        chain_id: string;
        diff_id: string;
        blob_digest: string;
        media_type: string;
        size: number;
      }[]
    ).map((r) => ({
      chainId: r.chain_id,
      diffId: r.diff_id,
      blobDigest: r.blob_digest,
      mediaType: r.media_type,
      size: r.size,
    }));
  }

  chainIdsOf(id: string): string[] {
    return this.column('SELECT chain_id FROM image_layers WHERE image_id = ? ORDER BY position', id);
  }

  /** Full names `docker.io/library/busybox:latest`. */
  tagsOf(id: string): string[] {
    return this.column('SELECT name FROM image_tags WHERE image_id = ? ORDER BY rowid', id);
  }

  /** Full names `docker.io/library/busybox@sha256:…`. */
  digestsOf(id: string): string[] {
    return this.column('SELECT name FROM image_digests WHERE image_id = ? ORDER BY rowid', id);
  }

  byTag(name: string): string | undefined {
    return this.value('SELECT image_id FROM image_tags WHERE name = ?', name);
  }

  byDigestName(name: string): string | undefined {
    return this.value('SELECT image_id FROM image_digests WHERE name = ?', name);
  }

  /** Ids starting with `sha256:<hexPrefix>`; at most `limit`. */
  idsWithPrefix(hexPrefix: string, limit = 2): string[] {
    // The prefix is checked to be lowercase hex by the caller, so LIKE has no wildcards to escape.
    return this.column(
      `SELECT id FROM image_images WHERE id LIKE ? ORDER BY id LIMIT ${limit}`,
      `sha256:${hexPrefix}%`,
    );
  }

  /** Points a tag at an image; returns the image it was taken from, if another. */
  setTag(name: string, imageId: string): string | undefined {
    return this.transaction(() => {
      const previous = this.byTag(name);
      this.db
        .prepare(
          'INSERT INTO image_tags (name, image_id) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET image_id = excluded.image_id',
        )
        .run(name, imageId);
      return previous !== imageId ? previous : undefined;
    });
  }

  setDigestName(name: string, imageId: string): void {
    this.db
      .prepare(
        'INSERT INTO image_digests (name, image_id) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET image_id = excluded.image_id',
      )
      .run(name, imageId);
  }

  deleteTag(name: string): boolean {
    return this.db.prepare('DELETE FROM image_tags WHERE name = ?').run(name).changes > 0;
  }

  deleteDigestName(name: string): boolean {
    return this.db.prepare('DELETE FROM image_digests WHERE name = ?').run(name).changes > 0;
  }

  /** Deletes an image and its names; returns the layers and blobs no other image uses. */
  delete(id: string): Orphans {
    return this.transaction(() => {
      const row = this.db.prepare('SELECT manifest_digest FROM image_images WHERE id = ?').get(id) as
        { manifest_digest: string } | undefined;
      if (!row) return { chainIds: [], blobs: [] };
      const layers = this.layersOf(id);
      for (const table of ['image_tags', 'image_digests', 'image_layers']) {
        this.db.prepare(`DELETE FROM ${table} WHERE image_id = ?`).run(id);
      }
      this.db.prepare('DELETE FROM image_images WHERE id = ?').run(id);
      const chainIds = [...new Set(layers.map((l) => l.chainId))].filter((c) => !this.chainInUse(c));
      const candidates = new Set([id, row.manifest_digest, ...layers.map((l) => l.blobDigest)]);
      return { chainIds, blobs: [...candidates].filter((b) => !this.blobInUse(b)) };
    });
  }

  chainInUse(chainId: string): boolean {
    return (
      this.db.prepare('SELECT 1 FROM image_layers WHERE chain_id = ? LIMIT 1').get(chainId) !== undefined
    );
  }

  blobInUse(digest: string): boolean {
    return (
      this.db
        .prepare('SELECT 1 FROM image_images WHERE id = ? OR manifest_digest = ? LIMIT 1')
        .get(digest, digest) !== undefined ||
      this.db.prepare('SELECT 1 FROM image_layers WHERE blob_digest = ? LIMIT 1').get(digest) !== undefined
    );
  }

  private toRecord(
    row: ImageRow,
    repoTags: string[],
    repoDigests: string[],
    chainIds: string[],
  ): ImageRecord {
    return {
      id: row.id,
      repoTags,
      repoDigests,
      manifestDigest: row.manifest_digest,
      config: JSON.parse(row.config) as ImageConfig,
      size: row.size,
      created: row.created,
      chainIds,
    };
  }

  private column(sql: string, ...params: unknown[]): string[] {
    return (
      this.db
        .prepare(sql)
        .pluck()
        .all(...params) as string[]
    ).slice();
  }

  private value(sql: string, ...params: unknown[]): string | undefined {
    return this.db
      .prepare(sql)
      .pluck()
      .get(...params) as string | undefined;
  }

  private grouped(sql: string): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const { k, v } of this.db.prepare(sql).all() as { k: string; v: string }[]) {
      const list = out.get(k);
      if (list) list.push(v);
      else out.set(k, [v]);
    }
    return out;
  }
}
