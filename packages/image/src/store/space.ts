import { statfs } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { isNoSpace, isPolisError, noSpace as coreNoSpace, type PolisError } from '@polis/core';

/** How often (in bytes received) an upload looks at the free space again. */
const CHECK_EVERY = 1024 * 1024;

export interface Space {
  /** Bytes an unprivileged writer may still use. */
  free: number;
  /** Bytes kept free for the database, logs and running containers: uploads stop short of it. */
  reserve: number;
}

/** The free space of the file system holding `dir`, and the reserve uploads must leave on it. */
export async function spaceOf(dir: string): Promise<Space> {
  const s = await statfs(dir);
  const total = s.blocks * s.bsize;
  // 5% of the file system, at least 1 MiB (a small test tmpfs) and at most 64 MiB (a large disk).
  const reserve = Math.min(64 * 1024 * 1024, Math.max(1024 * 1024, Math.floor(total / 20)));
  return { free: s.bavail * s.bsize, reserve };
}

/** core's `no_space`, naming the directory that was written. */
export function noSpace(dir: string, context: Record<string, unknown> = {}, cause?: unknown): PolisError {
  return coreNoSpace(cause, { path: dir, ...context });
}

function findInChain(err: unknown, test: (e: Error) => boolean): Error | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (test(e)) return e;
  }
  return undefined;
}

function chainHas(err: unknown, test: (e: Error) => boolean): boolean {
  return findInChain(err, test) !== undefined;
}

/** A verdict on content (a digest mismatch, a bad archive) stands even on a full disk. */
function isVerdict(err: unknown): boolean {
  return (
    isPolisError(err) &&
    err.kind !== 'internal' &&
    !chainHas(err, (e) => isPolisError(e, 'process.failed') || !isPolisError(e))
  );
}

/**
 * What a failed write under `dir` means: `no_space` when it failed for want of space (ENOSPC, or a
 * program such as tar failing while the file system is full), else the error as it is. Call it before
 * removing what the write left, or the space it took is free again.
 */
export async function spaceError(dir: string, err: unknown): Promise<unknown> {
  const inner = findInChain(err, (e) => isPolisError(e, 'no_space'));
  if (inner !== undefined) return inner;
  if (isNoSpace(err)) return noSpace(dir, {}, err);
  if (isVerdict(err)) return err;
  const space = await spaceOf(dir).catch(() => undefined);
  if (space !== undefined && space.free < space.reserve) return noSpace(dir, { ...space }, err);
  return err;
}

/**
 * Guards an upload that will be written under `dir`: refused at once when its declared length does
 * not fit, and cut off (failing with `no_space`) as soon as the free space falls below the reserve.
 * The source is not destroyed on the way out, so the server can still answer the request.
 */
export async function guardUpload(input: Readable, dir: string, declared?: number): Promise<Readable> {
  const space = await spaceOf(dir);
  if (space.free < space.reserve || (declared !== undefined && declared > space.free - space.reserve)) {
    throw noSpace(dir, { needed: declared, ...space });
  }
  async function* guarded(): AsyncGenerator<Buffer> {
    let sinceCheck = 0;
    for await (const chunk of input.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      sinceCheck += chunk.length;
      if (sinceCheck >= CHECK_EVERY) {
        sinceCheck = 0;
        const now = await spaceOf(dir);
        if (now.free < now.reserve) throw noSpace(dir, { ...now });
      }
      yield chunk;
    }
  }
  return Readable.from(guarded(), { objectMode: false });
}

/** A request's Content-Length, when it sent a valid one. */
export function declaredLength(header: string | undefined): number | undefined {
  if (header === undefined || !/^\d+$/.test(header)) return undefined;
  const n = Number(header);
  return Number.isSafeInteger(n) ? n : undefined;
}
