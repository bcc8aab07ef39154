import { readFile } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The page's files: packages/api/dashboard, beside dist/ (this module is dist/dashboard/static.js). */
export const DASHBOARD_ASSETS = fileURLToPath(new URL('../../dashboard/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

/**
 * The file under `root` that `rest` (the path after /dashboard/, still URL-encoded) names, or undefined
 * when it names anything outside `root`, a hidden file, or a type the page does not use. Decoding first
 * and then checking the resolved path catches `..`, `%2e%2e`, encoded slashes and absolute paths alike.
 */
export function assetPath(root: string, rest: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rest);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  if (decoded === '' || decoded.endsWith('/')) decoded += 'index.html';
  const base = resolve(root);
  const full = resolve(base, '.' + sep + decoded);
  if (!full.startsWith(base + sep)) return undefined;
  if (
    full
      .slice(base.length + 1)
      .split(sep)
      .some((seg) => seg.startsWith('.'))
  )
    return undefined;
  if (TYPES[extname(full)] === undefined) return undefined;
  return full;
}

export interface Asset {
  body: Buffer;
  type: string;
}

/** The asset's bytes and content type, or undefined when there is no such file. */
export async function readAsset(root: string, rest: string): Promise<Asset | undefined> {
  const path = assetPath(root, rest);
  if (path === undefined) return undefined;
  try {
    return { body: await readFile(path), type: TYPES[extname(path)] as string };
  } catch {
    return undefined;
  }
}
