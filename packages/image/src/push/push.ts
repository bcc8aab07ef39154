import { PolisError, type ImageRecord } from '@polis/core';
import { parseManifest } from '../manifest/parse.js';
import { normalizeReference } from '../reference/parse.js';
import type { RegistryCredentials } from '../registry/auth.js';
import { RepositoryClient } from '../registry/client.js';
import { endpointsFor } from '../registry/endpoints.js';
import type { TransferContext } from '../pull/context.js';
import { limited, shortId, throttled, type ProgressSink } from '../pull/progress.js';

/** Docker's default max-concurrent-uploads. */
const PARALLEL_UPLOADS = 5;

export interface PushOptions {
  auth?: RegistryCredentials;
  onProgress?: ProgressSink;
}

export interface PushResult {
  tag: string;
  digest: string;
  size: number;
}

/** Pushes one tagged image: blobs the registry lacks, then the manifest exactly as it is stored. */
export async function pushImage(
  ctx: TransferContext,
  image: ImageRecord,
  reference: string,
  options: PushOptions = {},
): Promise<PushResult> {
  const ref = normalizeReference(reference);
  if (ref.digest !== undefined || ref.tag === undefined) {
    throw new PolisError('image.reference_invalid', `cannot push ${reference}: a tag is needed`);
  }
  const progress: ProgressSink = options.onProgress ?? (() => undefined);
  const [endpoint] = endpointsFor(ref.domain, ctx.registry, 'push');
  if (!endpoint) throw new PolisError('internal', 'no registry endpoint');
  const client = new RepositoryClient(endpoint, ref.path, options.auth, 'pull,push');
  const manifestData = await ctx.blobs.readBuffer(image.manifestDigest);
  const manifest = parseManifest(manifestData, '');
  if (manifest.kind !== 'manifest') throw new PolisError('internal', 'stored manifest is an index');
  const blobs = [...manifest.layers].reverse();
  for (const blob of blobs) progress({ id: shortId(blob.digest), status: 'Preparing' });
  await limited(PARALLEL_UPLOADS, [
    ...blobs.map((b) => () => pushBlob(ctx, client, b, progress, true)),
    () => pushBlob(ctx, client, manifest.config, progress, false),
  ]);
  const digest = await client.putManifest(ref.tag, manifestData, manifest.mediaType);
  ctx.nameDigest(`${ref.domain}/${ref.path}@${digest}`, image.id);
  progress({ status: `${ref.tag}: digest: ${digest} size: ${manifestData.length}` });
  return { tag: ref.tag, digest, size: manifestData.length };
}

async function pushBlob(
  ctx: TransferContext,
  client: RepositoryClient,
  blob: { digest: string; size: number },
  progress: ProgressSink,
  shown: boolean,
): Promise<void> {
  const id = shortId(blob.digest);
  const say: ProgressSink = shown ? progress : () => undefined;
  if (await client.hasBlob(blob.digest)) {
    say({ id, status: 'Layer already exists' });
    return;
  }
  const size = await ctx.blobs.size(blob.digest);
  const report = throttled(say);
  let current = 0;
  async function* body(): AsyncGenerator<Uint8Array> {
    for await (const chunk of ctx.blobs.read(blob.digest) as AsyncIterable<Buffer>) {
      current += chunk.length;
      report({ id, status: 'Pushing', current, total: size });
      yield chunk;
    }
  }
  await client.uploadBlob(blob.digest, size, body());
  say({ id, status: 'Pushed' });
}

/** The heading line of a push, as Docker prints it. */
export function pushHeading(reference: string): string {
  const ref = normalizeReference(reference);
  return `The push refers to repository [${ref.domain}/${ref.path}]`;
}
