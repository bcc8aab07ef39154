import type Database from 'better-sqlite3';

/** The image package's tables in the daemon's shared database, all prefixed `image_`. */
export function createSchema(db: Database.Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS image_images (
      id TEXT PRIMARY KEY,
      manifest_digest TEXT NOT NULL,
      config TEXT NOT NULL,
      size INTEGER NOT NULL,
      created TEXT NOT NULL,
      stored_at INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS image_tags (
      name TEXT PRIMARY KEY,
      image_id TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS image_tags_image ON image_tags(image_id);
    CREATE TABLE IF NOT EXISTS image_digests (
      name TEXT PRIMARY KEY,
      image_id TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS image_digests_image ON image_digests(image_id);
    CREATE TABLE IF NOT EXISTS image_layers (
      image_id TEXT NOT NULL,
      position INTEGER NOT NULL,
      chain_id TEXT NOT NULL,
      diff_id TEXT NOT NULL,
      blob_digest TEXT NOT NULL,
      media_type TEXT NOT NULL,
      size INTEGER NOT NULL,
      PRIMARY KEY (image_id, position)
    );
    CREATE INDEX IF NOT EXISTS image_layers_chain ON image_layers(chain_id);
    CREATE INDEX IF NOT EXISTS image_layers_blob ON image_layers(blob_digest);
  `);
}
