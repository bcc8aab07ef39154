/** Docker Engine API v1.41 shapes for images. */
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

/** One line of a JSON-lines progress stream (pull, import, push). */
export interface ProgressMessage {
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { code?: number | string; message?: string };
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
