import { setTimeout as sleep } from 'node:timers/promises';
import { PolisError, isPolisError, type Descriptor } from '@polis/core';
import type { RepositoryClient } from '../registry/client.js';
import type { TransferContext } from './context.js';
import { shortId, throttled, type ProgressSink } from './progress.js';
import { Tee } from './tee.js';

const ATTEMPTS = 3;

export interface LayerJob {
  descriptor: Descriptor;
  chainId: string;
  diffId: string;
}

/**
 * Brings one layer in: its blob downloaded and verified, and its chain unpacked and verified against
 * the diff id. The download streams into the blob store and into tar at once, and nothing becomes
 * visible before both checks pass.
 */
export async function fetchLayer(
  ctx: TransferContext,
  client: RepositoryClient,
  job: LayerJob,
  progress: ProgressSink,
  signal?: AbortSignal,
): Promise<void> {
  const id = shortId(job.descriptor.digest);
  const digest = job.descriptor.digest;
  // Another pull is fetching this blob: wait for it; if that pull is cancelled, fetch it here.
  for (;;) {
    const running = ctx.downloads.get(digest);
    if (running) {
      await running.catch(() => undefined);
      continue;
    }
    if (await ctx.blobs.has(digest)) break;
    if (ctx.downloads.has(digest)) continue;
    const download = downloadAndUnpack(ctx, client, job, progress, signal).finally(() =>
      ctx.downloads.delete(digest),
    );
    ctx.downloads.set(digest, download);
    await download;
    progress({ id, status: 'Pull complete' });
    return;
  }
  if (!(await ctx.layers.has(job.chainId))) {
    progress({ id, status: 'Extracting', current: 0, total: job.descriptor.size });
    await ctx.layers.ensure(job.chainId, () => ctx.openLayer(digest), job.diffId);
  }
  progress({ id, status: 'Pull complete' });
}

async function downloadAndUnpack(
  ctx: TransferContext,
  client: RepositoryClient,
  job: LayerJob,
  progress: ProgressSink,
  signal?: AbortSignal,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await attemptOnce(ctx, client, job, progress, signal);
      return;
    } catch (err) {
      // A connection lost mid-download is worth another try; wrong content never is.
      if (attempt >= ATTEMPTS || !isPolisError(err, 'registry.unavailable') || signal?.aborted) throw err;
      await sleep(500 * attempt);
    }
  }
}

async function attemptOnce(
  ctx: TransferContext,
  client: RepositoryClient,
  job: LayerJob,
  progress: ProgressSink,
  signal?: AbortSignal,
): Promise<void> {
  const { digest, size } = job.descriptor;
  const id = shortId(digest);
  const response = await client.getBlob(digest, signal);
  const unpack = !(await ctx.layers.has(job.chainId));
  const tee = new Tee(unpack);
  const report = throttled(progress);
  let current = 0;
  async function* counted(): AsyncGenerator<Uint8Array> {
    try {
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        current += chunk.length;
        report({ id, status: 'Downloading', current, total: size });
        yield chunk;
      }
    } catch (err) {
      throw lostConnection(client, err, { digest, current, size });
    }
  }
  const written = ctx.blobs.write(tee.source(counted()), { digest, size });
  written.catch((err: Error) => tee.fail(err));
  const unpacked = unpack
    ? ctx.layers
        .ensure(
          job.chainId,
          async () => {
            const done = written.then(() => undefined);
            // The unpacker may fail first and never wait for this; the failure is reported below.
            done.catch(() => undefined);
            return { stream: tee.branch, done };
          },
          job.diffId,
        )
        .finally(() => tee.detach())
    : Promise.resolve();
  unpacked.catch((err: Error) => response.body.destroy(err));
  const [w, u] = await Promise.allSettled([written, unpacked]);
  if (w.status === 'rejected') throw w.reason;
  progress({ id, status: 'Verifying Checksum' });
  progress({ id, status: 'Download complete' });
  if (u.status === 'rejected') throw u.reason;
  progress({ id, status: 'Extracting', current: size, total: size });
}

/** A body that broke off mid-way is a lost connection (retried), not bad content. */
function lostConnection(
  client: RepositoryClient,
  err: unknown,
  at: { digest: string; current: number; size: number },
): unknown {
  if (isPolisError(err)) return err;
  const reason = err instanceof Error ? err.message : String(err);
  return new PolisError(
    'registry.unavailable',
    `incomplete download of ${at.digest}: the connection to ${client.host} closed after ${at.current} of ${at.size} bytes (${reason})`,
    { cause: err, context: { digest: at.digest, received: at.current, size: at.size } },
  );
}
