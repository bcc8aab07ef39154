import type { Readable } from 'node:stream';
import type Database from 'better-sqlite3';
import { MediaType, PolisError, mappedRoot, type IdMappings, type ImageRecord } from '@polis/core';
import { filterImages } from './images/filters.js';
import { pruneCandidates } from './images/prune.js';
import { removeImage } from './images/remove.js';
import { resolveImageId } from './images/resolve.js';
import { applyChanges } from './import/changes.js';
import { hostPlatform, importConfig, ociManifest } from './import/config.js';
import { storeLayer } from './import/import.js';
import { commitConfig } from './import/commit-config.js';
import { planUpperLayer, upperLayerTar } from './layers/from-upper.js';
import { upperChanges, type FsChange } from './layers/upper-changes.js';
import { exportTree, type TreeExport } from './rootfs/export.js';
import { chainIds } from './layers/chain.js';
import { LayerStore, type LayerSource, type LayerUnpacked } from './layers/store.js';
import { ShiftedLayers } from './layers/shifted.js';
import { ownerMapArgs } from './layers/owner-map.js';
import { Mutex } from './lock.js';
import { mountOverlay, unmountOverlay } from './rootfs/overlay.js';
import { formatReference, normalizeReference } from './reference/parse.js';
import { BlobStore } from './store/blobs.js';
import { guardUpload } from './store/space.js';
import { ImageRecords, type LayerRow } from './store/records.js';
import type { TransferContext } from './pull/context.js';
import { pullImage, type PullOptions, type PullResult } from './pull/pull.js';
import { pushHeading, pushImage, type PushOptions, type PushResult } from './push/push.js';
import type { RegistryCredentials } from './registry/auth.js';
import { RepositoryClient } from './registry/client.js';
import { endpointsFor, registryHost, type RegistryConfig } from './registry/endpoints.js';
import { familiarName } from './reference/familiar.js';
import { parseImageConfig } from './manifest/config.js';
import type {
  BuildStepInput,
  CommitInput,
  ContainerCommitInput,
  ImageDeleteItem,
  ImageListOptions,
  ImageService,
  ImportOptions,
  PruneOptions,
  RemoveImageOptions,
  RootfsLayout,
} from './types.js';

export interface LocalImageServiceOptions {
  /** The daemon's database (WAL mode); this service adds its `image_*` tables. */
  db: Database.Database;
  dataRoot: string;
  /** Insecure registries and Docker Hub mirrors (the daemon's config). */
  registry?: RegistryConfig;
  /** Told of each layer unpacked (seconds, bytes): the daemon feeds its metrics with it. */
  onLayerUnpacked?: (u: LayerUnpacked) => void;
}

/** Images stored on this host: SQLite records, a blob store, and overlay layers under `dataRoot`. */
export class LocalImageService implements ImageService {
  readonly blobs: BlobStore;
  readonly layers: LayerStore;
  /** Copies of the layers with owners moved into a user namespace's ids (`--userns-remap`). */
  readonly shifted: ShiftedLayers;
  private readonly records: ImageRecords;
  private readonly dataRoot: string;
  private readonly lock = new Mutex();
  /** Blobs and chain ids an import is writing but has not recorded yet: removal must spare them. */
  private readonly pinned = new Map<string, number>();
  private readonly transfer: TransferContext;

  constructor(options: LocalImageServiceOptions) {
    this.records = new ImageRecords(options.db);
    this.dataRoot = options.dataRoot;
    this.blobs = new BlobStore(options.dataRoot);
    this.layers = new LayerStore(options.dataRoot, options.onLayerUnpacked);
    this.shifted = new ShiftedLayers(options.dataRoot, this.layers);
    this.transfer = {
      blobs: this.blobs,
      layers: this.layers,
      registry: options.registry ?? {},
      openLayer: (digest) => this.openLayer(digest),
      commit: (input) => this.commitImage(input),
      find: (id) => this.records.get(id),
      nameDigest: (name, imageId) => this.records.setDigestName(name, imageId),
      layersOf: (imageId) => this.records.layersOf(imageId),
      pin: (keys) => this.pin(keys),
      unpin: (keys) => this.unpin(keys),
      dropUnused: (blobs, chains) => this.lock.run(() => this.dropUnused(blobs, chains)),
      downloads: new Map(),
    };
  }

  /** Pulls an image from its registry (the tag defaults to latest). */
  pull(reference: string, options: PullOptions = {}): Promise<PullResult> {
    return pullImage(this.transfer, reference, options);
  }

  /**
   * Pushes `name:tag`, or every tag of `name` when it has none (the API's semantics), one after the
   * other as Docker does.
   */
  async push(reference: string, options: PushOptions = {}): Promise<PushResult[]> {
    const ref = normalizeReference(reference);
    if (ref.digest !== undefined) {
      throw new PolisError('image.reference_invalid', `cannot push a digest reference: ${reference}`);
    }
    const repo = `${ref.domain}/${ref.path}`;
    const tags =
      ref.tag !== undefined
        ? [formatReference(ref)]
        : this.records.all().flatMap((image) => image.repoTags.filter((t) => t.startsWith(`${repo}:`)));
    if (tags.length === 0) {
      throw new PolisError(
        'image.not_found',
        `An image does not exist locally with the tag: ${familiarName(ref)}`,
        {
          context: { reference },
        },
      );
    }
    options.onProgress?.({ status: pushHeading(reference) });
    const results: PushResult[] = [];
    for (const tag of tags.sort()) results.push(await pushImage(this.transfer, this.get(tag), tag, options));
    return results;
  }

  /** Checks credentials against a registry (`docker login`); throws `registry.unauthorized` if refused. */
  async login(server: string, credentials: RegistryCredentials): Promise<void> {
    const host = registryHost(server);
    const [endpoint] = endpointsFor(host, this.transfer.registry, 'push');
    if (!endpoint) throw new PolisError('internal', 'no registry endpoint');
    await new RepositoryClient(endpoint, '', credentials, 'pull').ping();
  }

  /** Creates directories, removes temp files of interrupted imports and layers or blobs no image uses. */
  async init(): Promise<void> {
    await this.lock.run(async () => {
      await this.blobs.init();
      await this.layers.init();
      for (const chainId of await this.layers.list()) {
        if (!this.records.chainInUse(chainId)) await this.layers.remove(chainId);
      }
      await this.shifted.sweep();
      for (const digest of await this.blobs.list()) {
        if (!this.records.blobInUse(digest)) await this.blobs.delete(digest);
      }
    });
  }

  async importTarball(input: Readable, options: ImportOptions): Promise<ImageRecord> {
    const name = options.reference === undefined ? undefined : this.tagName(options.reference);
    const runConfig = applyChanges({}, options.changes ?? []);
    const layer = await storeLayer(await guardUpload(input, this.blobs.tmpDir, options.size), this.blobs);
    const [chainId = layer.diffId] = chainIds([layer.diffId]);
    const blobs = [layer.blob.digest];
    this.pin([chainId, layer.blob.digest]);
    try {
      const created = new Date().toISOString();
      const config = importConfig({
        diffId: layer.diffId,
        runConfig,
        comment: options.message || `Imported from ${options.source ?? '-'}`,
        platform: options.platform ?? hostPlatform(),
        created,
      });
      const configBlob = await this.blobs.writeJson(config);
      this.pin([configBlob.digest]);
      blobs.push(configBlob.digest);
      const manifest = ociManifest(
        { mediaType: MediaType.OciConfig, digest: configBlob.digest, size: configBlob.size },
        [{ mediaType: MediaType.OciLayerGzip, digest: layer.blob.digest, size: layer.blob.size }],
      );
      const manifestBlob = await this.blobs.writeJson(manifest);
      this.pin([manifestBlob.digest]);
      blobs.push(manifestBlob.digest);
      const open = (): Promise<LayerSource> => this.openLayer(layer.blob.digest);
      await this.layers.ensure(chainId, open);
      await this.lock.run(async () => {
        // A removal may have taken a shared layer dir meanwhile; this is a no-op otherwise.
        await this.layers.ensure(chainId, open);
        this.records.transaction(() => {
          this.records.insert({
            id: configBlob.digest,
            manifestDigest: manifestBlob.digest,
            config,
            layers: [
              {
                chainId,
                diffId: layer.diffId,
                blobDigest: layer.blob.digest,
                mediaType: MediaType.OciLayerGzip,
                size: layer.size,
              },
            ],
          });
          if (name !== undefined) this.records.setTag(name, configBlob.digest);
        });
      });
      return this.get(configBlob.digest);
    } finally {
      // On success everything is recorded and this removes nothing; on failure it tidies up.
      this.unpin([chainId, ...blobs]);
      await this.lock.run(() => this.dropUnused(blobs, [chainId]));
    }
  }

  /**
   * Records an image whose layer blobs are already in the blob store: checks the config, unpacks
   * each layer once (verifying its diff id), then records the image and its names in one transaction.
   */
  async commitImage(input: CommitInput): Promise<ImageRecord> {
    const config = parseImageConfig(input.config);
    const diffIds = config.rootfs.diff_ids;
    if (diffIds.length !== input.layers.length) {
      throw new PolisError(
        'image.manifest_invalid',
        `the manifest has ${input.layers.length} layers but the config has ${diffIds.length} diff ids`,
      );
    }
    const tags = (input.tags ?? []).map((t) => this.tagName(t));
    const chains = chainIds(diffIds);
    const blobs = input.layers.map((l) => l.digest);
    this.pin([...chains, ...blobs]);
    try {
      const configBlob = await this.blobs.write(input.config);
      this.pin([configBlob.digest]);
      blobs.push(configBlob.digest);
      const manifestBlob = input.manifest
        ? await this.blobs.write(input.manifest)
        : await this.blobs.writeJson(
            ociManifest(
              { mediaType: MediaType.OciConfig, digest: configBlob.digest, size: configBlob.size },
              input.layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
            ),
          );
      this.pin([manifestBlob.digest]);
      blobs.push(manifestBlob.digest);
      const ensureAll = async (): Promise<void> => {
        for (const [i, layer] of input.layers.entries()) {
          const chainId = chains[i] as string;
          await this.layers.ensure(chainId, () => this.openLayer(layer.digest), diffIds[i]);
        }
      };
      await ensureAll();
      const rows: LayerRow[] = [];
      for (const [i, layer] of input.layers.entries()) {
        const chainId = chains[i] as string;
        rows.push({
          chainId,
          diffId: diffIds[i] as string,
          blobDigest: layer.digest,
          mediaType: layer.mediaType,
          size: await this.layers.size(chainId),
        });
      }
      await this.lock.run(async () => {
        // A removal may have taken a shared layer dir meanwhile; this is a no-op otherwise.
        await ensureAll();
        this.records.transaction(() => {
          this.records.insert({
            id: configBlob.digest,
            manifestDigest: manifestBlob.digest,
            config,
            layers: rows,
          });
          for (const tag of tags) this.records.setTag(tag, configBlob.digest);
          for (const name of input.digestNames ?? []) this.records.setDigestName(name, configBlob.digest);
        });
      });
      return this.get(configBlob.digest);
    } finally {
      this.unpin([...chains, ...blobs]);
      await this.lock.run(() => this.dropUnused(blobs, chains));
    }
  }

  /** The layers of an image, bottom first. */
  layersOf(imageId: string): LayerRow[] {
    return this.records.layersOf(this.get(imageId).id);
  }

  list(options: ImageListOptions = {}): ImageRecord[] {
    const images = filterImages(this.records.all(), options.filters ?? {}, (r) => this.get(r));
    return images.sort((a, b) => b.created.localeCompare(a.created) || a.id.localeCompare(b.id));
  }

  get(reference: string): ImageRecord {
    const id = resolveImageId(this.records, reference);
    const record = this.records.get(id);
    if (!record)
      throw new PolisError('image.not_found', `No such image: ${reference}`, { context: { reference } });
    return record;
  }

  tag(reference: string, target: string): void {
    const id = resolveImageId(this.records, reference);
    this.records.setTag(this.tagName(target), id);
  }

  remove(reference: string, options: RemoveImageOptions = {}): Promise<ImageDeleteItem[]> {
    return this.lock.run(async () => {
      const removal = removeImage(this.records, reference, options);
      if (removal.orphans) await this.dropUnused(removal.orphans.blobs, removal.orphans.chainIds);
      return removal.items;
    });
  }

  /** Removes each unused image as `rmi -f` would; reclaimed is the size of the layers freed. */
  prune(options: PruneOptions): Promise<{ items: ImageDeleteItem[]; reclaimed: number }> {
    return this.lock.run(async () => {
      const items: ImageDeleteItem[] = [];
      let reclaimed = 0;
      for (const image of pruneCandidates(this.records.all(), options)) {
        const removal = removeImage(this.records, image.id, { force: true, inUse: () => false });
        items.push(...removal.items);
        if (!removal.orphans) continue;
        for (const chainId of removal.orphans.chainIds) reclaimed += await this.layers.size(chainId);
        await this.dropUnused(removal.orphans.blobs, removal.orphans.chainIds);
      }
      return { items, reclaimed };
    });
  }

  /** Every blob an image references is present and hashes to its name, and every layer is unpacked. */
  async verify(): Promise<string[]> {
    const problems: string[] = [];
    const checked = new Set<string>();
    for (const image of this.records.all()) {
      const layers = this.records.layersOf(image.id);
      for (const digest of [image.id, image.manifestDigest, ...layers.map((l) => l.blobDigest)]) {
        if (checked.has(digest)) continue;
        checked.add(digest);
        const problem = await this.blobs.check(digest);
        if (problem) problems.push(`image ${image.id}: ${problem}`);
      }
      for (const layer of layers) {
        if (!(await this.layers.has(layer.chainId)))
          problems.push(`image ${image.id}: layer ${layer.chainId} is not unpacked`);
      }
    }
    return problems;
  }

  async mountRootfs(imageId: string, containerDir: string, mappings?: IdMappings): Promise<RootfsLayout> {
    const image = this.get(imageId);
    const layers = this.records.layersOf(image.id);
    for (const layer of layers)
      await this.layers.ensure(layer.chainId, () => this.openLayer(layer.blobDigest));
    const top = [...layers].reverse();
    if (mappings && top.length > 0) {
      for (const layer of top) await this.shifted.ensure(layer.chainId, mappings);
      return mountOverlay(
        containerDir,
        {
          base: this.shifted.root(mappings),
          relative: top.map((l) => this.layers.link(l.chainId)),
          absolute: top.map((l) => this.shifted.diffDir(l.chainId, mappings)),
        },
        mappedRoot(mappings),
      );
    }
    return mountOverlay(
      containerDir,
      {
        base: this.layers.root,
        relative: top.length > 0 ? top.map((l) => this.layers.link(l.chainId)) : ['empty'],
        absolute: top.length > 0 ? top.map((l) => this.layers.diffDir(l.chainId)) : [this.layers.emptyDir],
      },
      mappings && mappedRoot(mappings),
    );
  }

  unmountRootfs(containerDir: string): Promise<void> {
    return unmountOverlay(containerDir);
  }

  async containerChanges(imageId: string, upperDir: string): Promise<FsChange[]> {
    return upperChanges(upperDir, await this.lowerDirs(imageId));
  }

  async exportRootfs(target: string, mappings?: IdMappings): Promise<TreeExport> {
    return exportTree(target, mappings ? await ownerMapArgs(this.dataRoot, mappings) : []);
  }

  /**
   * Stores the upper dir as one more layer (OCI whiteouts for the overlay ones) on top of the
   * image's own, with the container's config and the `--change` instructions applied.
   */
  async commitContainer(input: ContainerCommitInput): Promise<ImageRecord> {
    const parent = this.get(input.imageId);
    const runConfig = applyChanges(input.runConfig, input.changes ?? []);
    const name = input.reference === undefined ? undefined : this.tagName(input.reference);
    const plan = await planUpperLayer(input.upperDir, await this.lowerDirs(parent.id));
    const owners = input.idMappings ? await ownerMapArgs(this.dataRoot, input.idMappings) : [];
    const tar = upperLayerTar(input.upperDir, plan, owners);
    const [stored, exited] = await Promise.allSettled([storeLayer(tar.stream, this.blobs), tar.done]);
    if (exited.status === 'rejected') {
      if (stored.status === 'fulfilled')
        await this.lock.run(() => this.dropUnused([stored.value.blob.digest], []));
      throw new PolisError('store.failed', `cannot archive the container's changes`, {
        cause: exited.reason,
      });
    }
    if (stored.status === 'rejected') throw stored.reason;
    const layer = stored.value;
    this.pin([layer.blob.digest]);
    try {
      const rows = this.records.layersOf(parent.id);
      const layers = [];
      for (const row of rows) {
        layers.push({
          digest: row.blobDigest,
          size: await this.blobs.size(row.blobDigest),
          mediaType: row.mediaType,
        });
      }
      layers.push({ digest: layer.blob.digest, size: layer.blob.size, mediaType: MediaType.OciLayerGzip });
      const config = commitConfig({
        parent,
        diffId: layer.diffId,
        runConfig,
        created: new Date().toISOString(),
        ...(input.comment !== undefined ? { comment: input.comment } : {}),
        ...(input.author !== undefined ? { author: input.author } : {}),
        ...(input.createdBy !== undefined ? { createdBy: input.createdBy } : {}),
      });
      return await this.commitImage({
        config: Buffer.from(JSON.stringify(config)),
        layers,
        ...(name !== undefined ? { tags: [name] } : {}),
      });
    } finally {
      this.unpin([layer.blob.digest]);
      await this.lock.run(() => this.dropUnused([layer.blob.digest], []));
    }
  }

  /** The unpacked layer dirs of an image, top first (a build asks what a path is in its parent). */
  layerDirs(imageId: string): Promise<string[]> {
    return this.lowerDirs(imageId);
  }

  /**
   * A build step's image: the parent's layers (none for `scratch`) plus, when given, one layer made
   * from a tar stream (COPY, ADD) or from a build container's upper dir (RUN), with the config that
   * `makeConfig` makes for the resulting diff ids. A step without a layer changes only the config.
   */
  async addStep(input: BuildStepInput): Promise<ImageRecord> {
    const parent = input.parentId === undefined ? undefined : this.get(input.parentId);
    let layer: Awaited<ReturnType<typeof storeLayer>> | undefined;
    if (input.layer && 'tar' in input.layer) layer = await storeLayer(input.layer.tar, this.blobs);
    else if (input.layer) {
      const lower = parent ? await this.lowerDirs(parent.id) : [];
      const plan = await planUpperLayer(input.layer.upperDir, lower);
      const mappings = input.layer.idMappings;
      const owners = mappings ? await ownerMapArgs(this.dataRoot, mappings) : [];
      const tar = upperLayerTar(input.layer.upperDir, plan, owners);
      const [stored, exited] = await Promise.allSettled([storeLayer(tar.stream, this.blobs), tar.done]);
      if (exited.status === 'rejected') {
        if (stored.status === 'fulfilled')
          await this.lock.run(() => this.dropUnused([stored.value.blob.digest], []));
        throw new PolisError('store.failed', `cannot archive the step's changes`, { cause: exited.reason });
      }
      if (stored.status === 'rejected') throw stored.reason;
      layer = stored.value;
    }
    const pinned = layer ? [layer.blob.digest] : [];
    this.pin(pinned);
    try {
      const layers = [];
      for (const row of parent ? this.records.layersOf(parent.id) : []) {
        layers.push({
          digest: row.blobDigest,
          size: await this.blobs.size(row.blobDigest),
          mediaType: row.mediaType,
        });
      }
      const diffIds = [...(parent?.config.rootfs.diff_ids ?? [])];
      if (layer) {
        layers.push({ digest: layer.blob.digest, size: layer.blob.size, mediaType: MediaType.OciLayerGzip });
        diffIds.push(layer.diffId);
      }
      return await this.commitImage({
        config: Buffer.from(JSON.stringify(input.makeConfig(diffIds))),
        layers,
        ...(input.tags ? { tags: input.tags } : {}),
      });
    } finally {
      this.unpin(pinned);
      await this.lock.run(() => this.dropUnused(pinned, []));
    }
  }

  /** The image's unpacked layer dirs, top first. */
  private async lowerDirs(imageId: string): Promise<string[]> {
    const layers = this.records.layersOf(this.get(imageId).id);
    for (const layer of layers)
      await this.layers.ensure(layer.chainId, () => this.openLayer(layer.blobDigest));
    return [...layers].reverse().map((l) => this.layers.diffDir(l.chainId));
  }

  /** A tag's full name; digests cannot be tag targets (Docker refuses them too). */
  private tagName(reference: string): string {
    const ref = normalizeReference(reference);
    if (ref.digest !== undefined) {
      throw new PolisError('image.reference_invalid', 'refusing to create a tag with a digest reference', {
        context: { reference },
      });
    }
    return formatReference(ref);
  }

  /** A stored blob, read by the unpack's own processes (no byte of it passes through polisd). */
  private async openLayer(digest: string): Promise<LayerSource> {
    await this.blobs.size(digest); // image.not_found when it is gone
    return { path: this.blobs.path(digest) };
  }

  private pin(keys: string[]): void {
    for (const k of keys) this.pinned.set(k, (this.pinned.get(k) ?? 0) + 1);
  }

  private unpin(keys: string[]): void {
    for (const k of keys) {
      const n = (this.pinned.get(k) ?? 1) - 1;
      if (n <= 0) this.pinned.delete(k);
      else this.pinned.set(k, n);
    }
  }

  /** Deletes blobs and layer dirs that no image records and no running import holds. */
  private async dropUnused(blobs: string[], chains: string[]): Promise<void> {
    for (const chainId of chains) {
      if (!this.pinned.has(chainId) && !this.records.chainInUse(chainId)) {
        await this.shifted.remove(chainId);
        await this.layers.remove(chainId);
      }
    }
    for (const digest of blobs) {
      if (!this.pinned.has(digest) && !this.records.blobInUse(digest)) await this.blobs.delete(digest);
    }
  }
}
