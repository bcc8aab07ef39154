import type { ImageRecord } from '@polis/core';
import type { Readable } from 'node:stream';

/** What `rmi` did, in Docker's response shape order: untagged names, then deleted ids. */
export type ImageDeleteItem = { Untagged: string } | { Deleted: string };

export interface ImportOptions {
  /** Name to give the image (`busybox`, `repo:tag`); none makes a dangling image. */
  reference?: string;
  /** Commit message kept in the history. */
  message?: string;
  /** Dockerfile-like changes (`CMD ["sh"]`, `ENV A=b`, `WORKDIR /x`, `ENTRYPOINT`, `USER`, `LABEL`, `EXPOSE`). */
  changes?: string[];
  platform?: { os: string; architecture: string };
}

export interface ImageListOptions {
  all?: boolean;
  /** Docker filters: reference, dangling, label, before, since. */
  filters?: Record<string, string[]>;
}

export interface RemoveImageOptions {
  force?: boolean;
  /** Returns true when a container uses this image id (removal is then a 409 unless forced). */
  inUse?: (imageId: string) => boolean;
}

/** A prepared container root: the overlay lower layers shared by all containers of the image. */
export interface RootfsLayout {
  lowerDirs: string[];
  upperDir: string;
  workDir: string;
  target: string;
}

/** The image service that runtime and api use. */
export interface ImageService {
  importTarball(input: Readable, options: ImportOptions): Promise<ImageRecord>;
  list(options?: ImageListOptions): ImageRecord[];
  /** Resolves a name, full or short id, or digest reference; throws `image.not_found`. */
  get(reference: string): ImageRecord;
  tag(reference: string, target: string): void;
  remove(reference: string, options?: RemoveImageOptions): Promise<ImageDeleteItem[]>;
  /** Mounts an overlay for a container at `layout.target` (idempotent). */
  mountRootfs(imageId: string, containerDir: string): Promise<RootfsLayout>;
  unmountRootfs(containerDir: string): Promise<void>;
}
