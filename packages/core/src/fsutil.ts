import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';

/**
 * Writes a file so that readers see either the old or the new content: temp file, fsync, rename.
 * Root-only (0600) unless the caller says otherwise: what polisd writes (a bundle's config.json, an
 * exec's process.json) carries the container's Env. `durable: false` skips the fsync, for files made
 * again before every use (a container's /etc files, written at each start), where a crash may lose
 * the content but a reader must still never see half of it.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  mode = 0o600,
  options: { durable?: boolean } = {},
): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, 'w', mode);
  try {
    await fh.writeFile(data);
    if (options.durable !== false) await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

export async function ensureDir(path: string, mode = 0o755): Promise<string> {
  await mkdir(path, { recursive: true, mode });
  return path;
}

export function errnoCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}
