/** Docker Engine API v1.41 shapes for images. */
import type { RegistryAuth } from '../auth/registry-auth.js';
import type { ContainerConfig } from './container.js';

export interface ImageSummary {
  Id: string;
  ParentId: string;
  RepoTags: string[] | null;
  RepoDigests: string[] | null;
  /** Unix seconds. */
  Created: number;
  Size: number;
  SharedSize: number;
  VirtualSize?: number;
  Labels: Record<string, string> | null;
  Containers: number;
}

export interface ImageInspect {
  Id: string;
  RepoTags: string[];
  RepoDigests: string[];
  Parent: string;
  Comment: string;
  Created: string;
  Author: string;
  Config: ContainerConfig;
  Architecture: string;
  Os: string;
  Size: number;
  RootFS: { Type: string; Layers?: string[] };
  [key: string]: unknown;
}

/** One entry of `DELETE /images/{name}`. */
export interface ImageDeleteItem {
  Untagged?: string;
  Deleted?: string;
}

/** One line of a JSON-lines progress stream (pull, push, import, load). */
export interface ProgressMessage {
  status?: string;
  /** A layer id (12 hex digits) or a tag: the line it updates. */
  id?: string;
  /** The daemon's own rendering of the bar (`[==>   ] 1.2MB/3.4MB`). */
  progress?: string;
  progressDetail?: { current?: number; total?: number; units?: string; start?: number; hidecounts?: boolean };
  /** Text to print as it is (`Loaded image: busybox:latest\n`). */
  stream?: string;
  /** Structured results (push: `{Tag, Digest, Size}`). */
  aux?: Record<string, unknown>;
  error?: string;
  errorDetail?: { code?: number | string; message?: string };
  /** Polis's stable code of an error line (beside Docker's fields: docker's `errorDetail.code` is a number). */
  polisCode?: string;
}

export interface ImagePullOptions {
  /** `os/arch[/variant]`. */
  platform?: string;
  /** Sent as `X-Registry-Auth`. */
  auth?: RegistryAuth;
}

export interface ImagePushOptions {
  /** The tag to push; defaults to the reference's tag, else `latest`. */
  tag?: string;
  /** Push every tag of the repository (no `tag` parameter). */
  allTags?: boolean;
  /** Sent as `X-Registry-Auth`; `{}` when absent, as docker's daemon requires the header. */
  auth?: RegistryAuth;
}

export interface ImageLoadOptions {
  /** Suppress the progress messages (only the result lines come back). */
  quiet?: boolean;
}

/** `POST /auth`. */
export interface AuthResponse {
  Status: string;
  IdentityToken?: string;
}

/** One entry of `GET /images/{name}/history`, newest layer first. */
export interface ImageHistoryItem {
  /** The image id, or `<missing>` for layers that are not images of their own. */
  Id: string;
  /** Unix seconds. */
  Created: number;
  CreatedBy: string;
  Tags: string[] | null;
  Size: number;
  Comment: string;
}

/** `POST /images/prune`. */
export interface ImagePruneResponse {
  ImagesDeleted: ImageDeleteItem[] | null;
  SpaceReclaimed: number;
}

export interface ImageImportOptions {
  /** `-` (the default) sends `source` as the request body; otherwise a URL the daemon fetches. */
  fromSrc?: string;
  repo?: string;
  tag?: string;
  message?: string;
  /** Dockerfile instructions applied to the config (`CMD ["sh"]`, `ENV A=b`). */
  changes?: string[];
  platform?: string;
  onProgress?: (message: ProgressMessage) => void;
}

export interface ImageListOptions {
  all?: boolean;
  digests?: boolean;
  filters?: Record<string, string[]>;
}

export interface ImageRemoveOptions {
  force?: boolean;
  noprune?: boolean;
}
