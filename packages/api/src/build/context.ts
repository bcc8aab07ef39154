import { lstat, readFile, readdir, rm } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { DockerIgnore, PolisError } from '@polis/core';
import { decompress, extractTar } from '@polis/image';
import { secureJoin } from '@polis/storage';
import { MAX_DOCKERFILE_BYTES } from './dockerfile/parse.js';

/** Bytes of uncompressed context accepted by default (Docker has no bound; one keeps polisd's disk safe). */
export const DEFAULT_MAX_CONTEXT_BYTES = 4 * 1024 ** 3;

function tooLarge(max: number): PolisError {
  return new PolisError(
    'build.context_invalid',
    `the build context is larger than the ${max}-byte limit of this daemon`,
  );
}

/** Counts bytes through, failing once past `max`. */
export function sizeGuard(max: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > max) done(tooLarge(max));
      else done(null, chunk);
    },
  });
}

/**
 * Unpacks the request's tar (plain or compressed) into `dir`. GNU tar refuses `..` members and defers
 * symlinks pointing out, so nothing lands outside `dir`.
 */
export async function receiveContext(
  body: Readable,
  dir: string,
  max: number,
  declared?: number,
): Promise<void> {
  if (declared !== undefined && declared > max) throw tooLarge(max);
  const { stream, done } = await decompress(body);
  const guarded = stream.pipe(sizeGuard(max));
  stream.on('error', (err) => guarded.destroy(err));
  try {
    await Promise.all([extractTar(guarded, dir), done]);
  } catch (err) {
    if (err instanceof PolisError && err.code === 'build.context_invalid') throw err;
    const cause = (err as { cause?: unknown }).cause;
    if (cause instanceof PolisError && cause.code === 'build.context_invalid') throw cause;
    throw new PolisError(
      'build.context_invalid',
      `the build context is not a valid tar archive: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}

/** The Dockerfile's text, looked up inside the context (a symlink to outside it resolves inside). */
export async function readDockerfile(dir: string, name: string): Promise<string> {
  const path = await secureJoin(dir, name);
  const st = await lstat(path).catch(() => undefined);
  if (!st?.isFile())
    throw new PolisError('build.context_invalid', `Cannot locate specified Dockerfile: ${name}`);
  if (st.size > MAX_DOCKERFILE_BYTES)
    throw new PolisError(
      'build.dockerfile_invalid',
      `the Dockerfile ${name} is larger than ${MAX_DOCKERFILE_BYTES} bytes`,
    );
  return readFile(path, 'utf8');
}

/**
 * Applies `.dockerignore` on the daemon's side too (a client that did not): what it excludes is
 * deleted from the unpacked context. The Dockerfile and `.dockerignore` have been read by then, so
 * listing them keeps them from COPY (Docker's rule) without keeping them from the builder.
 */
export async function applyDockerignore(dir: string): Promise<DockerIgnore | undefined> {
  const text = await readFile(join(dir, '.dockerignore'), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const ignore = new DockerIgnore(text);
  if (ignore.empty) return ignore;
  await prune(dir, '', ignore);
  return ignore;
}

async function prune(root: string, rel: string, ignore: DockerIgnore): Promise<void> {
  for (const entry of await readdir(join(root, rel), { withFileTypes: true })) {
    const path = rel === '' ? entry.name : posix.join(rel, entry.name);
    if (ignore.excludes(path)) {
      if (entry.isDirectory() && ignore.mayReinclude()) await prune(root, path, ignore);
      else await rm(join(root, path), { recursive: true, force: true });
    } else if (entry.isDirectory()) await prune(root, path, ignore);
  }
}
