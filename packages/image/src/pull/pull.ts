import { PolisError, isPolisError, type ImageRecord } from '@polis/core';
import { hostPlatform } from '../import/config.js';
import { chainIds } from '../layers/chain.js';
import { parseImageConfig } from '../manifest/config.js';
import { ACCEPTED_MANIFEST_TYPES, parseManifest, type ManifestDocument } from '../manifest/parse.js';
import { formatPlatform, selectPlatform, type PlatformSpec } from '../manifest/platform.js';
import { familiarName, familiarRepository } from '../reference/familiar.js';
import { formatReference, normalizeReference, type ImageReference } from '../reference/parse.js';
import type { RegistryCredentials } from '../registry/auth.js';
import { RepositoryClient, type FetchedManifest } from '../registry/client.js';
import { endpointsFor } from '../registry/endpoints.js';
import { fetchSmallBlob } from './blob.js';
import type { TransferContext } from './context.js';
import { fetchLayer, type LayerJob } from './layer.js';
import { limited, shortId, type ProgressSink } from './progress.js';

/** Docker's default max-concurrent-downloads. */
const PARALLEL_DOWNLOADS = 3;

export interface PullOptions {
  /** Defaults to the host's platform. */
  platform?: PlatformSpec;
  auth?: RegistryCredentials;
  onProgress?: ProgressSink;
  signal?: AbortSignal;
}

export interface PullResult {
  image: ImageRecord;
  /** The digest of what the reference named (an index for multi-platform images). */
  digest: string;
  /** The familiar name pulled: `busybox:latest`, `host:5000/x@sha256:…`. */
  name: string;
  /** True when the image was already here and named so. */
  upToDate: boolean;
}

export async function pullImage(
  ctx: TransferContext,
  reference: string,
  options: PullOptions = {},
): Promise<PullResult> {
  const parsed = normalizeReference(reference);
  const ref: ImageReference =
    parsed.digest !== undefined ? parsed : { ...parsed, tag: parsed.tag ?? 'latest' };
  const progress: ProgressSink = options.onProgress ?? (() => undefined);
  const wanted = options.platform ?? hostPlatform();
  const target = ref.digest ?? (ref.tag as string);
  progress({ id: target, status: `Pulling from ${familiarRepository(ref)}` });

  const { client, top } = await fetchTop(ctx, ref, target, options);
  if (ref.digest !== undefined && top.digest !== ref.digest) {
    throw new PolisError(
      'image.digest_mismatch',
      `manifest digest mismatch: asked for ${ref.digest}, got ${top.digest}`,
    );
  }
  const topDoc = parseManifest(top.data, top.contentType);
  const { doc, data } = await platformManifest(client, topDoc, top, wanted, options);
  if (doc.kind !== 'manifest')
    throw new PolisError('image.manifest_invalid', 'an index may not name another index');

  const configBytes = (await ctx.blobs.has(doc.config.digest))
    ? await ctx.blobs.readBuffer(doc.config.digest)
    : await fetchSmallBlob(client, doc.config, options.signal);
  const config = parseImageConfig(configBytes);
  if (topDoc.kind === 'manifest' && options.platform && !sameOs(config, options.platform)) {
    throw new PolisError(
      'image.platform_unavailable',
      `image with reference ${familiarName(ref)} was found but does not match the specified platform: ` +
        `wanted ${formatPlatform(options.platform)}, actual: ${formatPlatform(config)}`,
    );
  }
  const diffIds = config.rootfs.diff_ids;
  if (diffIds.length !== doc.layers.length) {
    throw new PolisError(
      'image.manifest_invalid',
      `the manifest has ${doc.layers.length} layers but the config has ${diffIds.length} diff ids`,
    );
  }
  const chains = chainIds(diffIds);
  const jobs: LayerJob[] = doc.layers.map((descriptor, i) => ({
    descriptor,
    chainId: chains[i] as string,
    diffId: diffIds[i] as string,
  }));
  const tagName = ref.digest === undefined ? formatReference(ref) : undefined;
  const digestName = `${ref.domain}/${ref.path}@${top.digest}`;
  const before = ctx.find(doc.config.digest);
  const upToDate =
    before !== undefined &&
    (tagName === undefined ? before.repoDigests.includes(digestName) : before.repoTags.includes(tagName));

  const held = [...chains, ...doc.layers.map((l) => l.digest)];
  ctx.pin(held);
  try {
    const missing: LayerJob[] = [];
    for (const job of jobs) {
      const present = (await ctx.layers.has(job.chainId)) && (await ctx.blobs.has(job.descriptor.digest));
      progress({
        id: shortId(job.descriptor.digest),
        status: present ? 'Already exists' : 'Pulling fs layer',
      });
      if (!present) missing.push(job);
    }
    await limited(
      PARALLEL_DOWNLOADS,
      missing.map((job) => () => fetchLayer(ctx, client, job, progress, options.signal)),
    );
    const image = await ctx.commit({
      config: configBytes,
      layers: doc.layers.map((l) => ({ digest: l.digest, size: l.size, mediaType: l.mediaType })),
      manifest: data,
      ...(tagName !== undefined ? { tags: [tagName] } : {}),
      digestNames: [digestName],
    });
    const name = familiarName(ref);
    progress({ status: `Digest: ${top.digest}` });
    progress({
      status: upToDate
        ? `Status: Image is up to date for ${name}`
        : `Status: Downloaded newer image for ${name}`,
    });
    return { image, digest: top.digest, name, upToDate };
  } finally {
    ctx.unpin(held);
    await ctx.dropUnused(
      doc.layers.map((l) => l.digest),
      chains,
    );
  }
}

/** The manifest a reference names, from the first endpoint (a mirror, then the registry) that has it. */
async function fetchTop(
  ctx: TransferContext,
  ref: ImageReference,
  target: string,
  options: PullOptions,
): Promise<{ client: RepositoryClient; top: FetchedManifest }> {
  const endpoints = endpointsFor(ref.domain, ctx.registry, 'pull');
  for (const [i, endpoint] of endpoints.entries()) {
    const client = new RepositoryClient(endpoint, ref.path, options.auth, 'pull');
    try {
      return { client, top: await client.getManifest(target, ACCEPTED_MANIFEST_TYPES, options.signal) };
    } catch (err) {
      // A mirror that fails or lacks the image is skipped; the registry itself has the last word.
      if (!endpoint.mirror || i === endpoints.length - 1) throw notFoundInRepo(err, ref);
    }
  }
  throw new PolisError('internal', 'no registry endpoint');
}

function notFoundInRepo(err: unknown, ref: ImageReference): unknown {
  if (isPolisError(err, 'registry.manifest_unknown')) {
    return new PolisError(
      'registry.manifest_unknown',
      `manifest for ${familiarName(ref)} not found: manifest unknown`,
      {
        cause: err,
        context: err.context,
      },
    );
  }
  if (isPolisError(err, 'registry.unauthorized') || isPolisError(err, 'registry.denied')) {
    return new PolisError(
      err.code,
      `pull access denied for ${familiarRepository(ref)}, repository does not exist or may require 'docker login': ${err.message}`,
      { cause: err, context: err.context },
    );
  }
  return err;
}

/** For an index, the manifest of the wanted platform, fetched and checked against its descriptor. */
async function platformManifest(
  client: RepositoryClient,
  topDoc: ManifestDocument,
  top: FetchedManifest,
  wanted: PlatformSpec,
  options: PullOptions,
): Promise<{ doc: ManifestDocument; data: Buffer }> {
  if (topDoc.kind === 'manifest') return { doc: topDoc, data: top.data };
  const chosen = selectPlatform(topDoc.manifests, wanted);
  const fetched = await client.getManifest(chosen.digest, ACCEPTED_MANIFEST_TYPES, options.signal);
  if (fetched.digest !== chosen.digest || fetched.data.length !== chosen.size) {
    throw new PolisError(
      'image.digest_mismatch',
      `manifest digest mismatch: the index names ${chosen.digest} (${chosen.size} bytes), got ${fetched.digest} (${fetched.data.length} bytes)`,
    );
  }
  const doc = parseManifest(fetched.data, fetched.contentType);
  if (doc.mediaType !== chosen.mediaType) {
    throw new PolisError(
      'image.manifest_invalid',
      `manifest media type mismatch: the index says ${chosen.mediaType}, the manifest is ${doc.mediaType}`,
    );
  }
  return { doc, data: fetched.data };
}

function sameOs(config: { os: string; architecture: string }, wanted: PlatformSpec): boolean {
  return config.os === wanted.os && config.architecture === wanted.architecture;
}
