import { lstat, readdir } from 'node:fs/promises';
import { basename, dirname, join, posix } from 'node:path';
import { PolisError } from '@polis/core';
import { secureJoin } from '@polis/storage';

const GLOB = /[*?[]/;

/** A source found for COPY/ADD: its path relative to the root and where it is on the host. */
export interface FoundSource {
  rel: string;
  host: string;
}

/**
 * Resolves a COPY source against a root (the context, or another stage's mounted root) as Docker
 * does: cleaned and taken inside the root (`../x` cannot leave it), symlinks in the parent
 * directories resolved inside the root, the last element itself not followed (a link is copied as a
 * link), and Go's `filepath.Match` globs (`*`, `?`, `[…]`) per path element.
 */
export async function findSources(root: string, source: string): Promise<FoundSource[]> {
  const clean = posix.normalize(`/${source}`).replace(/^\/+/, '');
  if (clean === '' || clean === '.') return [{ rel: '.', host: root }];
  if (!GLOB.test(clean)) {
    const host = await inside(root, clean);
    if (!(await exists(host))) throw notFound(source);
    return [{ rel: clean, host }];
  }
  const found: FoundSource[] = [];
  await walk(root, '', clean.split('/'), found);
  if (found.length === 0) throw notFound(source);
  return found;
}

async function walk(root: string, rel: string, parts: string[], found: FoundSource[]): Promise<void> {
  const [head, ...rest] = parts;
  if (head === undefined) return;
  const dirHost = rel === '' ? root : await inside(root, rel);
  const st = await lstat(dirHost).catch(() => undefined);
  if (!st?.isDirectory()) return;
  const re = new RegExp(`^${elementRegex(head)}$`);
  const names = (await readdir(dirHost)).filter((n) => re.test(n)).sort();
  for (const name of names) {
    const path = rel === '' ? name : `${rel}/${name}`;
    if (rest.length === 0) found.push({ rel: path, host: join(dirHost, name) });
    else await walk(root, path, rest, found);
  }
}

/** The path inside `root`: parents resolved with symlinks kept inside it, the last element as it is. */
async function inside(root: string, rel: string): Promise<string> {
  const parent = dirname(rel);
  const base = parent === '.' ? root : await secureJoin(root, parent);
  return join(base, basename(rel));
}

async function exists(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => undefined)) !== undefined;
}

function notFound(source: string): PolisError {
  return new PolisError(
    'build.step_failed',
    `COPY failed: file not found in build context or excluded by .dockerignore: stat ${source}: file does not exist`,
  );
}

/** Go's filepath.Match for one element. */
export function elementRegex(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) out += '\\[';
      else {
        let body = pattern.slice(i + 1, end);
        if (body.startsWith('^')) body = `^${body.slice(1)}`;
        out += `[${body}]`;
        i = end;
      }
    } else if (c === '\\' && i + 1 < pattern.length) out += escape(pattern[++i] as string);
    else out += escape(c);
  }
  return out;
}

function escape(c: string): string {
  return c.replace(/[.+^${}()|[\]\\/]/g, '\\$&');
}
