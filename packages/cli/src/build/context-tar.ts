import { readFile, readdir } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { DockerIgnore, proc } from '@polis/core';

/**
 * The context's paths to send, as the docker CLI picks them: everything under `dir` except what
 * `.dockerignore` excludes, the Dockerfile and `.dockerignore` always sent (the daemon reads them).
 * Symlinks are listed, never followed.
 */
export async function contextPaths(dir: string, dockerfile: string): Promise<string[]> {
  const text = await readFile(join(dir, '.dockerignore'), 'utf8').catch(() => '');
  const ignore = new DockerIgnore(text);
  const keep = new Set([posix.normalize(dockerfile), '.dockerignore']);
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const entry of (await readdir(rel === '' ? dir : join(dir, rel), { withFileTypes: true })).sort(
      (a, b) => (a.name < b.name ? -1 : 1),
    )) {
      const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
      const excluded = !keep.has(path) && ignore.excludes(path);
      if (entry.isDirectory()) {
        if (!excluded) out.push(path);
        // A later `!pattern` may re-include something under an excluded directory.
        if (!excluded || ignore.mayReinclude()) await walk(path);
      } else if (!excluded) out.push(path);
    }
  };
  await walk('');
  return out;
}

/** A tar of the listed paths (GNU tar, no recursion: the list is already complete). */
export function contextTar(dir: string, paths: string[]): { stream: Readable; done: Promise<unknown> } {
  const args = ['-C', dir, '--numeric-owner', '--no-recursion', '--null', '-T', '-', '-cf', '-'];
  const child = proc.start('tar', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin?.end(paths.map((p) => `${p}\0`).join(''));
  return { stream: child.stdout as Readable, done: proc.waitFor(child, 'tar', args) };
}
