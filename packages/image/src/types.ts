import type { IdMappings, ImageConfig, ImageRecord, ImageRunConfig } from '@polis/core';
import type { FsChange } from './layers/upper-changes.js';
import type { TreeExport } from './rootfs/export.js';
import type { PullOptions, PullResult } from './pull/pull.js';
import type { PushOptions, PushResult } from './push/push.js';
import type { RegistryCredentials } from './registry/auth.js';
import type { LayerRow } from './store/records.js';
import type { Readable } from 'node:stream';

/** What `rmi` did, in Docker's response shape order: untagged names, then deleted ids. */
export type ImageDeleteItem = { Untagged: string } | { Deleted: string };

export interface ImportOptions {
  /** Name to give the image (`busybox`, `repo:tag`); none makes a dangling image. */
  reference?: string;
  /** Commit message kept in the history; default `Imported from <source>`. */
  message?: string;
  /** Where the tarball came from (`-` for the request body, or a URL), for the default message. */
  source?: string;
  /**
   * Dockerfile-like changes: CMD, ENTRYPOINT, ENV, WORKDIR, USER, LABEL, EXPOSE, STOPSIGNAL, VOLUME.
   * Anything else fails with `image.change_invalid`.
   */
  changes?: string[];
  /** Defaults to the host (`linux`, Node's arch in OCI terms: x64 → amd64). */
  platform?: { os: string; architecture: string; variant?: string };
  /** The upload's declared length (Content-Length): refused at once when the data root lacks it. */
  size?: number;
}

/** An image whose blobs are already in the blob store, to be recorded (pull, load). */
export interface CommitInput {
  /** Raw config JSON; the image id is its sha256. */
  config: Buffer;
  /** Layer blobs, bottom first, already written to the blob store. */
  layers: { digest: string; size: number; mediaType: string }[];
  /** Raw manifest to keep; without one an OCI manifest is made for the config and layers. */
  manifest?: Buffer;
  /** Names to tag (`busybox`, `host:5000/x/y:tag`); a tag held by another image moves here. */
  tags?: string[];
  /** Full `repo@sha256:…` names the image is known by in registries. */
  digestNames?: string[];
}

/** A container's upper dir made into a new image (`docker commit`). */
export interface ContainerCommitInput {
  /** The container's image. */
  imageId: string;
  /** The container's overlay upper dir. */
  upperDir: string;
  /** A remapped container's maps: owners in the layer are mapped back to the container's ids. */
  idMappings?: IdMappings;
  /** The container's config (Env, Cmd, …) the image starts with, before `changes`. */
  runConfig: ImageRunConfig;
  /** Dockerfile instructions applied to `runConfig` (`--change`). */
  changes?: string[];
  comment?: string;
  author?: string;
  /** History's CREATED BY: the container's command. */
  createdBy?: string;
  /** `repo[:tag]` to name the image; none leaves it dangling. */
  reference?: string;
}

/** One step of a build (see `LocalImageService.addStep`). */
export interface BuildStepInput {
  /** The image the step starts from; none for `FROM scratch`. */
  parentId?: string;
  /** The step's layer: a tar stream, or an overlay upper dir archived with whiteouts (owners mapped back from a remapped container's ids). */
  layer?: { tar: Readable } | { upperDir: string; idMappings?: IdMappings };
  /** The new config for the image's diff ids (the parent's plus the new layer's). */
  makeConfig: (diffIds: string[]) => ImageConfig;
  tags?: string[];
}

export interface ImageListOptions {
  /** Accepted for the API's sake; Polis keeps no intermediate images, so it changes nothing. */
  all?: boolean;
  /**
   * Docker filters: reference (glob on familiar or full names), dangling (true/false), label (`k` or
   * `k=v`, all must hold), before, since (an image reference). Others fail with `request.invalid`.
   */
  filters?: Record<string, string[]>;
}

export interface PruneOptions {
  /** Every unused image, not only dangling ones. */
  all?: boolean;
  /** Docker's prune filters: `until` (a time or duration) and `label` / `label!`. */
  filters?: Record<string, string[]>;
  inUse: (imageId: string) => boolean;
}

export interface RemoveImageOptions {
  /** Removes all names; an image a container uses is then kept as a dangling image, else deleted. */
  force?: boolean;
  /** Returns true when a container uses this image id (removal is then a 409 unless forced). */
  inUse?: (imageId: string) => boolean;
}

/** A prepared container root: the overlay lower layers shared by all containers of the image. */
export interface RootfsLayout {
  /** Absolute layer diff dirs, top layer first. */
  lowerDirs: string[];
  /** `<containerDir>/upper`. */
  upperDir: string;
  /** `<containerDir>/work`. */
  workDir: string;
  /** `<containerDir>/rootfs`, where the overlay is mounted. */
  target: string;
}

/** The image service that runtime and api use. */
export interface ImageService {
  importTarball(input: Readable, options: ImportOptions): Promise<ImageRecord>;
  list(options?: ImageListOptions): ImageRecord[];
  /**
   * Resolves a name, full or short id, or digest reference; throws `image.not_found`,
   * `image.ambiguous` (short id prefix of several images) or `image.reference_invalid`.
   */
  get(reference: string): ImageRecord;
  /** Names the image `reference` resolves to `target` (default tag latest); moves the tag if taken. */
  tag(reference: string, target: string): void;
  /** Docker's rmi; conflicts are `image.in_use` and `image.multiple_tags` (409). */
  remove(reference: string, options?: RemoveImageOptions): Promise<ImageDeleteItem[]>;
  /** Mounts an overlay for a container at `layout.target` (idempotent). */
  /** Pulls from the reference's registry; progress in Docker's words. */
  pull(reference: string, options?: PullOptions): Promise<PullResult>;
  /** Pushes a tag, or every tag of a repository given without one. */
  push(reference: string, options?: PushOptions): Promise<PushResult[]>;
  /** Checks credentials against a registry; `registry.unauthorized` when refused. */
  login(server: string, credentials: RegistryCredentials): Promise<void>;
  /** Records an image whose blobs are already stored (load). */
  commitImage(input: CommitInput): Promise<ImageRecord>;
  layersOf(imageId: string): LayerRow[];
  /** Docker's image prune: dangling images, or with `all` every image no container uses. */
  prune(options: PruneOptions): Promise<{ items: ImageDeleteItem[]; reclaimed: number }>;
  /** Checks the store: every blob an image references is present and hashes to its name. */
  verify(): Promise<string[]>;
  /** With `mappings`, the layers are the copies shifted into them and the upper dir is the mapped root's. */
  mountRootfs(imageId: string, containerDir: string, mappings?: IdMappings): Promise<RootfsLayout>;
  unmountRootfs(containerDir: string): Promise<void>;
  /** `docker diff`: what the container's upper dir changed against the image's layers. */
  containerChanges(imageId: string, upperDir: string): Promise<FsChange[]>;
  /** `docker export`: a tar of a mounted container root. */
  /** With `mappings`, owners are mapped back to the container's ids. */
  exportRootfs(target: string, mappings?: IdMappings): Promise<TreeExport>;
  /** `docker commit`: a new image of the container's image layers plus one made from its upper dir. */
  commitContainer(input: ContainerCommitInput): Promise<ImageRecord>;
}
