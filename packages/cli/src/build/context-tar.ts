import { readFile, readdir } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { DockerIgnore, proc } from '@polis/core';
import { BLOCK, fileHeader, padding } from '../cp/tar-header.js';

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

/**
 * `polis build -`: stdin is a context tar (plain or compressed), or else a Dockerfile alone, sent as
 * a context holding only it (docker's rule).
 */
export async function stdinContext(stdin: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin as AsyncIterable<Buffer>) chunks.push(chunk);
  const data = Buffer.concat(chunks);
  if (isArchive(data)) return data;
  const header = fileHeader({
    name: 'Dockerfile',
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: data.length,
    mtime: Date.now() / 1000,
  });
  if (!header) throw new Error('the Dockerfile on stdin is too large');
  return Buffer.concat([header, data, Buffer.alloc(padding(data.length)), Buffer.alloc(2 * BLOCK)]);
}

function isArchive(data: Buffer): boolean {
  if (data[0] === 0x1f && data[1] === 0x8b) return true;
  if (data.subarray(0, 3).toString('latin1') === 'BZh') return true;
  if (data.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return true;
  if (data.subarray(0, 4).equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))) return true;
  return data.length >= 512 && data.subarray(257, 262).toString('latin1') === 'ustar';
}
