import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';

export interface CacheEntry {
  key: string;
  imageId: string;
  parentId: string;
  /** History's CREATED BY of the step: the build cache's Description in `system df -v`. */
  description: string;
  /** Bytes the step's layer added (0 for a step that changed only the config). */
  size: number;
  createdAt: string;
  lastUsedAt: string;
  usageCount: number;
}

/** What decides whether a step can be reused (moby's classic builder compares the same things). */
export interface CacheKeyParts {
  /** The image the step starts from (`scratch` for none). */
  parentId: string;
  /** The instruction after expansion, as history records it. */
  instruction: string;
  /** Build args the step uses, `name=value`. */
  args: string[];
  /** Digest of what a COPY/ADD copies (paths, modes, owners, contents, link targets). */
  contentDigest?: string;
}

export function cacheKey(parts: CacheKeyParts): string {
  const text = JSON.stringify([
    parts.parentId,
    parts.instruction,
    [...parts.args].sort(),
    parts.contentDigest ?? '',
  ]);
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The build cache: from a step's key to the image the step made. The images are ordinary image records
 * (untagged unless a build's result); a key whose image is gone (pruned, removed) counts as a miss.
 */
export class BuildCache {
  constructor(private readonly db: Database.Database) {
    db.exec(`CREATE TABLE IF NOT EXISTS build_cache (
      key TEXT PRIMARY KEY,
      image_id TEXT NOT NULL,
      parent_id TEXT NOT NULL,
      description TEXT NOT NULL,
      size INTEGER NOT NULL,
      created_at TEXT NOT NULL,
      last_used_at TEXT NOT NULL,
      usage_count INTEGER NOT NULL
    )`);
  }

  get(key: string): CacheEntry | undefined {
    const row = this.db.prepare('SELECT * FROM build_cache WHERE key = ?').get(key) as Row | undefined;
    return row && entry(row);
  }

  used(key: string): void {
    this.db
      .prepare('UPDATE build_cache SET last_used_at = ?, usage_count = usage_count + 1 WHERE key = ?')
      .run(new Date().toISOString(), key);
  }

  put(e: Omit<CacheEntry, 'createdAt' | 'lastUsedAt' | 'usageCount'>): void {
    const now = new Date().toISOString();
    this.db
      .prepare(
        `INSERT OR REPLACE INTO build_cache (key, image_id, parent_id, description, size, created_at, last_used_at, usage_count)
         VALUES (?, ?, ?, ?, ?, ?, ?, 0)`,
      )
      .run(e.key, e.imageId, e.parentId, e.description, e.size, now, now);
  }

  all(): CacheEntry[] {
    return (this.db.prepare('SELECT * FROM build_cache ORDER BY created_at').all() as Row[]).map(entry);
  }

  delete(key: string): void {
    this.db.prepare('DELETE FROM build_cache WHERE key = ?').run(key);
  }

  /** Image ids the cache holds. */
  imageIds(): Set<string> {
    return new Set(
      (this.db.prepare('SELECT image_id FROM build_cache').all() as { image_id: string }[]).map(
        (r) => r.image_id,
      ),
    );
  }
}

interface Row {
  key: string;
  image_id: string;
  parent_id: string;
  description: string;
  size: number;
  created_at: string;
  last_used_at: string;
  usage_count: number;
}

function entry(r: Row): CacheEntry {
  return {
    key: r.key,
    imageId: r.image_id,
    parentId: r.parent_id,
    description: r.description,
    size: r.size,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    usageCount: r.usage_count,
  };
}
