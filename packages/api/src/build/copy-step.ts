import { createWriteStream } from 'node:fs';
import { lstat, mkdir, open, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { basename, dirname, join, posix } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { PolisError } from '@polis/core';
import { decompress, extractTar } from '@polis/image';
import { findSources } from './sources.js';
import { copyEntry, makeParents, setOwnership } from './staging.js';

export interface CopyPlan {
  add: boolean;
  /** Expanded sources; `<<NAME` stands for a heredoc. */
  sources: string[];
  heredocs: Map<string, string>;
  /** Absolute destination in the image; a trailing `/` kept. */
  dest: string;
  /** Whether the destination is a directory in the parent image. */
  destIsDir: (path: string) => Promise<boolean>;
  /** Where the sources are: the context, or another stage's (or image's) mounted root. */
  root: string;
  owner?: { uid: number; gid: number };
  mode?: number;
  signal: AbortSignal;
}

const URL_RE = /^https?:\/\//i;
const GLOB = /[*?[]/;
/** A URL that does not answer within this is unreachable. */
const FETCH_TIMEOUT_MS = 60_000;

/**
 * Places what a COPY or ADD copies into `staging` at its image paths, with Docker's rules: a directory's
 * contents (not the directory) go into the destination; a file goes to the destination, or into it when
 * it ends in `/`, names an existing directory, or several sources are given; ADD unpacks a local tar
 * (plain or compressed) into the destination and fetches URLs. Owners are 0:0 unless --chown.
 */
export async function stageCopy(plan: CopyPlan, staging: string): Promise<void> {
  const found: { kind: 'heredoc' | 'url' | 'path'; source: string; host?: string; rel?: string }[] = [];
  for (const source of plan.sources) {
    if (source.startsWith('<<') && plan.heredocs.has(source.slice(2)))
      found.push({ kind: 'heredoc', source });
    else if (URL_RE.test(source)) {
      if (!plan.add) throw new PolisError('build.step_failed', `source can't be a URL for COPY: ${source}`);
      found.push({ kind: 'url', source });
    } else {
      for (const f of await findSources(plan.root, source))
        found.push({ kind: 'path', source, host: f.host, rel: f.rel });
    }
  }
  const many = found.length > 1 || plan.sources.some((s) => GLOB.test(s) && found.length > 1);
  const intoDir = plan.dest.endsWith('/') || many || (await plan.destIsDir(plan.dest));
  if (many && !plan.dest.endsWith('/') && !(await plan.destIsDir(plan.dest)))
    throw new PolisError(
      'build.step_failed',
      `When using COPY with more than one source file, the destination must be a directory and end with a /`,
    );
  const dest = posix.normalize(plan.dest);
  const placed: string[] = [];
  const target = (name: string): string => (intoDir ? posix.join(dest, name) : dest);
  for (const f of found) {
    if (plan.signal.aborted) return;
    if (f.kind === 'heredoc') {
      const path = target(f.source.slice(2));
      await makeParents(staging, posix.dirname(path));
      await writeFile(join(staging, path), plan.heredocs.get(f.source.slice(2)) ?? '', { mode: 0o644 });
      placed.push(path);
      continue;
    }
    if (f.kind === 'url') {
      const name = basename(new URL(f.source).pathname);
      if (intoDir && name === '')
        throw new PolisError(
          'build.step_failed',
          `cannot determine a filename from ${f.source}; name the destination file`,
        );
      const path = target(name);
      await makeParents(staging, posix.dirname(path));
      await fetchTo(f.source, join(staging, path), plan.signal);
      placed.push(path);
      continue;
    }
    const host = f.host as string;
    const st = await lstat(host);
    if (st.isDirectory()) {
      await makeParents(staging, dest);
      await copyEntry(host, join(staging, dest), true);
      placed.push(dest);
    } else if (plan.add && st.isFile() && (await isArchive(host))) {
      await makeParents(staging, dest);
      const { stream, done } = await decompress(Readable.from(await readFile(host)));
      await Promise.all([extractTar(stream, join(staging, dest)), done]).catch((err: unknown) => {
        throw new PolisError(
          'build.step_failed',
          `ADD failed: cannot unpack ${f.source}: ${(err as Error).message}`,
        );
      });
      // An unpacked archive keeps its own owners unless --chown says otherwise.
      if (plan.owner) await setOwnership(join(staging, dest), plan.owner.uid, plan.owner.gid, plan.mode);
    } else {
      const path = target(basename(f.rel as string));
      await makeParents(staging, posix.dirname(path));
      await copyEntry(host, join(staging, path), false);
      placed.push(path);
    }
  }
  for (const path of placed) {
    await setOwnership(join(staging, path), plan.owner?.uid ?? 0, plan.owner?.gid ?? 0, plan.mode);
  }
}

/** A tar, or a compressed file (Docker tries those as archives too). */
async function isArchive(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(512);
    const { bytesRead } = await fh.read(head, 0, 512, 0);
    if (bytesRead >= 6) {
      if (head[0] === 0x1f && head[1] === 0x8b) return true;
      if (head.subarray(0, 3).toString('latin1') === 'BZh') return true;
      if (head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return true;
      if (head.subarray(0, 4).equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))) return true;
    }
    return bytesRead === 512 && head.subarray(257, 262).toString('latin1') === 'ustar';
  } finally {
    await fh.close();
  }
}

/** ADD of a URL: fetched by polisd (node:http, which has no "bad port" list), 0600 as Docker writes it. */
async function fetchTo(url: string, path: string, signal: AbortSignal, redirects = 5): Promise<void> {
  const unreachable = (why: string, cause?: unknown): PolisError =>
    new PolisError(
      'build.source_unreachable',
      `failed to fetch ${url}: ${why}`,
      cause === undefined ? {} : { cause },
    );
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const get = url.toLowerCase().startsWith('https:') ? httpsGet : httpGet;
    const req = get(url, { signal, timeout: FETCH_TIMEOUT_MS }, resolve);
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (err: NodeJS.ErrnoException) => reject(unreachable(err.code ?? err.message, err)));
  });
  const status = res.statusCode ?? 0;
  if (status >= 300 && status < 400 && res.headers.location && redirects > 0) {
    res.resume();
    return fetchTo(new URL(res.headers.location, url).toString(), path, signal, redirects - 1);
  }
  if (status !== 200) {
    res.resume();
    throw unreachable(`${status} ${res.statusMessage ?? ''}`.trim());
  }
  await mkdir(dirname(path), { recursive: true });
  try {
    await pipeline(res, createWriteStream(path, { mode: 0o600 }));
  } catch (err) {
    await rm(path, { force: true });
    throw unreachable((err as Error).message, err);
  }
  const modified = Date.parse(res.headers['last-modified'] ?? '');
  if (!Number.isNaN(modified)) await utimes(path, new Date(modified), new Date(modified));
}
